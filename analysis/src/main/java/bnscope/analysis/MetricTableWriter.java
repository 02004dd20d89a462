package bnscope.analysis;

import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * Writes a computed DataFrame as a metric table: projected to the table's exact columns, checked,
 * written as Parquet with overwrite, and checked again as read back. The rows are counted while
 * they are written (Dataset.observe), not by another Spark job over the files.
 */
final class MetricTableWriter {
    private MetricTableWriter() {
    }

    /** Writes {@code df} to {@code run}'s folder for {@code table}; returns the number of rows written. */
    static long write(Dataset<Row> df, TableSchema table, RunDirectory run) {
        Dataset<Row> out = SparkTableSchema.project(df, table);
        SparkTableSchema.requireConforms(out.schema(), table);
        String path = run.tablePath(table).toString();
        Observation written = new Observation("rows_written_" + table.name());
        out.observe(written, count(lit(1)).as("rows")).write().mode(SaveMode.Overwrite).parquet(path);
        Dataset<Row> back = run.spark().read().parquet(path);
        SparkTableSchema.requireConforms(back.schema(), table);
        try {
            return ((Number) written.getAsJava().get("rows")).longValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting the rows written to " + path, e);
        }
    }
}
