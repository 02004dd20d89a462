package bnscope.core.tables;

import java.util.List;

/** Renders the table schemas as docs/tables.md (a test fails when that file is stale). */
public final class TableDocs {
    private TableDocs() {
    }

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Tables\n\n")
                .append("Generated from `bnscope.core.tables.SnapshotTables` and `MetricTables` (a test fails when this file\n")
                .append("is stale; regenerate with `./submit.sh docs`). Every table is a Parquet dataset under the run\n")
                .append("directory, readable with `spark.read().parquet(RUN_DIR + \"/<table>\")` or `./submit.sh sql`.\n\n")
                .append("Snapshot tables are written by the executors while they train and are partitioned by `variant`\n")
                .append("(a directory level `variant=<name>`, which Spark turns back into a column). How rows are committed\n")
                .append("exactly once is described in docs/exactly-once.md.\n");
        section(md, "Snapshot tables (written while training)", SnapshotTables.all());
        section(md, "Metric tables (written by `./submit.sh analyze`)", MetricTables.all());
        return md.toString();
    }

    private static void section(StringBuilder md, String title, List<TableSchema> tables) {
        md.append("\n## ").append(title).append("\n");
        for (TableSchema t : tables) {
            md.append("\n### `").append(t.name()).append("`\n\n").append(t.description()).append("\n\n");
            if (t.partitionColumn() != null) {
                md.append("Partitioned by `").append(t.partitionColumn()).append("`. ");
            }
            md.append("One row per (").append(String.join(", ", t.keyColumns())).append(").\n\n")
                    .append("| column | type | unit | meaning |\n|---|---|---|---|\n");
            if (t.partitionColumn() != null) {
                md.append("| `").append(t.partitionColumn()).append("` | string (partition) |  | Network variant (directory level). |\n");
            }
            for (Column c : t.columns()) {
                md.append("| `").append(c.name()).append("` | ").append(c.type().avroName()).append(c.nullable() ? ", nullable" : "")
                        .append(" | ").append(c.unit().replace("|", "\\|")).append(" | ").append(c.doc().replace("|", "\\|")).append(" |\n");
            }
        }
    }
}
