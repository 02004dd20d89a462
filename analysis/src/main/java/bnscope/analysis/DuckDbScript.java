package bnscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The views of {@link RunViews} as a DuckDB script ({@code ./submit.sh sql --duckdb RUN...}): one
 * {@code CREATE OR REPLACE VIEW} per table, the union over the runs of
 * {@code SELECT 'RUN' AS run, * FROM read_parquet('FOLDER/**&#47;*.parquet', hive_partitioning = true)},
 * so an analyst can open the runs in DuckDB (or pandas through DuckDB) with no JVM and get the same
 * views, with the same {@code run} column, as {@code ./submit.sh sql}.
 *
 * <p>The script names the table folders, never single files: a table written later (e.g. by
 * {@code analyze}) or a run that grows is picked up when the script runs, as Spark would. Files
 * whose columns differ (an older run without a newer column) are merged by name, like Spark's
 * reads with the declared schema; the partition folders ({@code variant=...}) become a column.
 */
public final class DuckDbScript {
    private DuckDbScript() {
    }

    /** The script for {@code views}: a header comment, then one view per table, in table order. */
    public static String of(RunViews views) {
        StringBuilder sql = new StringBuilder();
        List<String> runs = new ArrayList<>();
        views.parts().values().forEach(ps -> ps.forEach(p -> {
            if (!runs.contains(p.run())) {
                runs.add(p.run());
            }
        }));
        sql.append("-- bnscope views for DuckDB over the runs ").append(String.join(", ", runs)).append('\n')
                .append("-- the same views as `./submit.sh sql` (docs/queries.md), each with a `run` column.\n")
                .append("-- Use: duckdb -init THIS_FILE, or in Python duckdb.sql(open(THIS_FILE).read()).\n");
        views.notes().forEach(n -> sql.append("-- note: ").append(n).append('\n'));
        for (Map.Entry<String, List<RunViews.Part>> view : views.parts().entrySet()) {
            sql.append("CREATE OR REPLACE VIEW ").append(view.getKey()).append(" AS\n");
            List<String> selects = new ArrayList<>();
            for (RunViews.Part part : view.getValue()) {
                selects.add("  SELECT " + literal(part.run()) + " AS run, * FROM read_parquet("
                        + literal(localPath(part) + "/**/*.parquet") + ", hive_partitioning = true, union_by_name = true)");
            }
            sql.append(String.join("\n  UNION ALL BY NAME\n", selects)).append(";\n");
        }
        return sql.toString();
    }

    /** The folder as DuckDB reads it: a local path without Hadoop's {@code file:} scheme. */
    private static String localPath(RunViews.Part part) {
        var uri = part.folder().toUri();
        return "file".equals(uri.getScheme()) ? uri.getPath() : part.folder().toString();
    }

    /** A SQL string literal ({@code '} doubled). */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
