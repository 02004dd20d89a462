package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Exposes the snapshot and metric tables of one or more runs as Spark temporary views named by
 * the table (metrics, ics, ..., ics_metrics, curves), each the union over the runs that hold it,
 * with a leading {@code run} column: the manifest's run_id, else the directory name (the full
 * directory path when two of the given runs would share a name).
 *
 * <p>This is the one definition of the views: {@link #parts} says which run's folder makes up each
 * view under which run name, and both the Spark views and the DuckDB script ({@link DuckDbScript})
 * are built from it. Opening only lists the table folders; a Spark view is defined when a statement
 * first names it ({@link #ensure}), because each definition lists the table's files, and a query
 * names one or two of the eleven tables. Nothing is written into the runs. A table folder that is
 * missing or holds no Parquet file is remembered by path, so a view that lacks some runs
 * ({@link #partialViews}) or is missing altogether ({@link #whyMissing}) can be explained by naming
 * the folder.
 */
public final class RunViews {
    /** One run's share of a view: its folder for the table and the name its rows carry in {@code run}. */
    public record Part(String run, RunDirectory dir, TableSchema table) {
        public Path folder() {
            return dir.tablePath(table);
        }
    }

    private final SparkSession spark;
    private final Map<String, List<Part>> parts;
    private final Map<String, List<String>> registered = new LinkedHashMap<>();
    private final Map<String, List<String>> absent;
    private final List<String> notes;

    private RunViews(SparkSession spark, Map<String, List<Part>> parts, Map<String, List<String>> absent, List<String> notes) {
        this.spark = spark;
        this.parts = parts;
        this.absent = absent;
        this.notes = notes;
    }

    /** Every table bnscope defines, snapshot tables first. */
    public static List<TableSchema> allTables() {
        return Stream.concat(SnapshotTables.all().stream(), MetricTables.all().stream()).toList();
    }

    /** Opens the views and defines every one of them in Spark at once (see {@link #open}). */
    public static RunViews register(SparkSession spark, List<RunDirectory> runs) {
        RunViews views = open(spark, runs);
        views.ensureAll();
        return views;
    }

    /**
     * Replaces the session's bnscope views with those of {@code runs}, defined lazily
     * ({@link #ensure}). Throws BadInputException when none of the runs holds any table.
     */
    public static RunViews open(SparkSession spark, List<RunDirectory> runs) {
        if (spark != null) {
            for (TableSchema t : allTables()) {
                spark.catalog().dropTempView(t.name());
            }
        }
        Map<String, Integer> nameCounts = new HashMap<>();
        runs.forEach(r -> nameCounts.merge(r.name(), 1, Integer::sum));
        List<String> notes = new ArrayList<>();
        Map<String, List<Part>> parts = new LinkedHashMap<>();
        Map<String, List<String>> absent = new LinkedHashMap<>();
        for (TableSchema t : allTables()) {
            for (RunDirectory run : runs) {
                if (!run.has(t)) {
                    absent.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(absence(run, t));
                    continue;
                }
                String runName = nameCounts.get(run.name()) > 1 ? run.path().toString() : run.name();
                parts.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(new Part(runName, run, t));
            }
        }
        nameCounts.forEach((name, n) -> {
            if (n > 1) {
                notes.add(n + " runs are named " + name + "; their `run` column holds the directory path instead");
            }
        });
        if (parts.isEmpty()) {
            throw new BadInputException("None of the run directories " + runs + " holds a bnscope table: in each, the folders "
                    + String.join(", ", allTables().stream().map(TableSchema::name).toList())
                    + " are missing or hold no Parquet file. Pass directories written by a training run, and run `analyze` "
                    + "for the metric tables.");
        }
        return new RunViews(spark, parts, absent, notes);
    }

    /** Defines the Spark views among {@code names} (any case; other names are ignored) not defined yet. */
    public void ensure(Collection<String> names) {
        for (String name : names) {
            String key = name.toLowerCase(java.util.Locale.ROOT);
            if (parts.containsKey(key) && !registered.containsKey(key)) {
                define(key);
            }
        }
    }

    /** Defines every view (for SHOW TABLES, DESCRIBE and the like, which may name any of them). */
    public void ensureAll() {
        ensure(parts.keySet());
    }

    private void define(String name) {
        Dataset<Row> union = null;
        for (Part part : parts.get(name)) {
            Dataset<Row> df = part.dir().read(part.table());
            List<org.apache.spark.sql.Column> cols = new ArrayList<>();
            cols.add(lit(part.run()).as("run"));
            for (String c : df.columns()) {
                cols.add(col(c));
            }
            df = df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
            union = union == null ? df : union.unionByName(df, true);
        }
        union.createOrReplaceTempView(name);
        registered.put(name, List.of(union.columns()));
    }

    /** The views the runs make, in table order, each with the runs' parts: what Spark and DuckDB define. */
    public Map<String, List<Part>> parts() {
        return parts;
    }

    /** "FOLDER is missing" or "FOLDER holds no Parquet file": why {@code run} lacks {@code table}. */
    private static String absence(RunDirectory run, TableSchema table) {
        Path folder = run.tablePath(table);
        try {
            return folder + (run.fileSystem().exists(folder) ? " holds no Parquet file" : " is missing");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for " + folder, e);
        }
    }

    private static String remedy(String table) {
        return MetricTables.all().stream().anyMatch(t -> t.name().equals(table))
                ? "metric tables appear after `./submit.sh analyze RUN_DIR`"
                : "the run did not record this snapshot table (its probe is off, or the run did not get that far)";
    }

    /**
     * Notes for the views among {@code names} that exist but lack some of the runs, naming each
     * missing or empty folder: a query over such a view answers for the other runs only.
     */
    public List<String> partialViews(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            if (parts.containsKey(name) && absent.containsKey(name)) {
                out.add("view " + name + " has no rows from " + absent.get(name).size() + " of the runs ("
                        + String.join("; ", absent.get(name)) + "); " + remedy(name));
            }
        }
        return out;
    }

    /** Why a bnscope table is no view (every run's folder named), or empty when it is one or no bnscope table. */
    public Optional<String> whyMissing(String name) {
        if (parts.containsKey(name) || !absent.containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of("No run holds table " + name + ": " + String.join("; ", absent.get(name)) + "; " + remedy(name) + ".");
    }

    /** View name to its columns, in table order (every view is defined first). */
    public Map<String, List<String>> views() {
        ensureAll();
        Map<String, List<String>> out = new LinkedHashMap<>();
        parts.keySet().forEach(n -> out.put(n, registered.get(n)));
        return out;
    }

    public List<String> notes() {
        return notes;
    }

    /** "name(col, col, ...)" for every view, one per line: for error messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        views().forEach((name, cols) -> sb.append("\n  ").append(name).append('(').append(String.join(", ", cols)).append(')'));
        return sb.toString();
    }
}
