package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Exposes the snapshot and metric tables of one or more runs as Spark temporary views named by
 * the table (metrics, ics, ..., ics_metrics, curves), each the union over the runs that hold it,
 * with a leading {@code run} column: the manifest's run_id, else the directory name (the full
 * directory path when two of the given runs would share a name).
 */
public final class RunViews {
    private final Map<String, List<String>> views;
    private final List<String> notes;

    private RunViews(Map<String, List<String>> views, List<String> notes) {
        this.views = views;
        this.notes = notes;
    }

    /** Every table bnscope defines, snapshot tables first. */
    public static List<TableSchema> allTables() {
        return Stream.concat(SnapshotTables.all().stream(), MetricTables.all().stream()).toList();
    }

    /**
     * Replaces the session's bnscope views with the tables of {@code runs}. Throws
     * BadInputException when none of the runs holds any table.
     */
    public static RunViews register(SparkSession spark, List<RunDirectory> runs) {
        for (TableSchema t : allTables()) {
            spark.catalog().dropTempView(t.name());
        }
        Map<String, Integer> nameCounts = new HashMap<>();
        runs.forEach(r -> nameCounts.merge(r.name(), 1, Integer::sum));
        List<String> notes = new ArrayList<>();
        Map<String, List<String>> registered = new LinkedHashMap<>();
        for (TableSchema t : allTables()) {
            Dataset<Row> union = null;
            for (RunDirectory run : runs) {
                if (!run.has(t)) {
                    continue;
                }
                String runName = nameCounts.get(run.name()) > 1 ? run.path().toString() : run.name();
                Dataset<Row> df = run.read(t);
                List<org.apache.spark.sql.Column> cols = new ArrayList<>();
                cols.add(lit(runName).as("run"));
                for (String c : df.columns()) {
                    cols.add(col(c));
                }
                df = df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
                union = union == null ? df : union.unionByName(df, true);
            }
            if (union != null) {
                union.createOrReplaceTempView(t.name());
                registered.put(t.name(), List.of(union.columns()));
            }
        }
        nameCounts.forEach((name, n) -> {
            if (n > 1) {
                notes.add(n + " runs are named " + name + "; their `run` column holds the directory path instead");
            }
        });
        if (registered.isEmpty()) {
            throw new BadInputException("None of the run directories " + runs + " holds a bnscope table (no Parquet files under "
                    + String.join(", ", allTables().stream().map(TableSchema::name).toList())
                    + "). Pass directories written by a training run, and run `analyze` for the metric tables.");
        }
        return new RunViews(registered, notes);
    }

    /** View name to its columns, in registration order. */
    public Map<String, List<String>> views() {
        return views;
    }

    public List<String> notes() {
        return notes;
    }

    /** "name(col, col, ...)" for every view, one per line: for error messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        views.forEach((name, cols) -> sb.append("\n  ").append(name).append('(').append(String.join(", ", cols)).append(')'));
        return sb.toString();
    }
}
