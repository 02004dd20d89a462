package bnscope.analysis;

import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a computed DataFrame as a metric table: projected to the table's exact columns, checked,
 * written as Parquet with overwrite, and checked again as read back.
 */
final class MetricTableWriter {
    private MetricTableWriter() {
    }

    /** Writes {@code df} to {@code run}'s folder for {@code table}; returns the number of rows written. */
    static long write(Dataset<Row> df, TableSchema table, RunDirectory run) {
        Dataset<Row> out = SparkTableSchema.project(df, table);
        SparkTableSchema.requireConforms(out.schema(), table);
        String path = run.tablePath(table).toString();
        out.write().mode(SaveMode.Overwrite).parquet(path);
        Dataset<Row> back = run.spark().read().parquet(path);
        SparkTableSchema.requireConforms(back.schema(), table);
        return back.count();
    }
}
