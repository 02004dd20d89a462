package bnscope.analysis;

import bnscope.core.tables.TableSchema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * Writes a computed DataFrame as a metric table: projected to the table's exact columns, checked,
 * written as Parquet into a staging folder ({@code RUN/_metric_staging/TABLE}), checked again as
 * read back, and only then moved into place. The computation reads its input tables while Spark
 * writes, so a damaged input file fails the write itself; staging means such a failure leaves the
 * previous table (or none) rather than an emptied or half-written folder. The rows are counted
 * while they are written (Dataset.observe), not by another Spark job over the files.
 */
final class MetricTableWriter {
    /** Hidden from Spark readers (leading underscore) and from {@link RunDirectory#has}. */
    static final String STAGING = "_metric_staging";

    private MetricTableWriter() {
    }

    /** Writes {@code df} to {@code run}'s folder for {@code table}; returns the number of rows written. */
    static long write(Dataset<Row> df, TableSchema table, RunDirectory run) {
        Dataset<Row> out = SparkTableSchema.project(df, table);
        SparkTableSchema.requireConforms(out.schema(), table);
        Path target = run.tablePath(table);
        Path staged = new Path(new Path(run.path(), STAGING), table.name());
        FileSystem fs = run.fileSystem();
        Observation written = new Observation("rows_written_" + table.name());
        try {
            out.observe(written, count(lit(1)).as("rows")).write().mode(SaveMode.Overwrite).parquet(staged.toString());
            SparkTableSchema.requireConforms(run.spark().read().parquet(staged.toString()).schema(), table);
            long rows = ((Number) written.getAsJava().get("rows")).longValue();
            commit(fs, staged, target);
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting the rows written to " + staged, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the metric table " + staged + " to " + target, e);
        } finally {
            deleteQuietly(fs, new Path(run.path(), STAGING));
        }
    }

    /** Replaces {@code target} by {@code staged}: the old table is moved aside first, and back if the move fails. */
    private static void commit(FileSystem fs, Path staged, Path target) throws IOException {
        Path previous = new Path(staged.getParent(), staged.getName() + ".previous");
        boolean hadPrevious = fs.exists(target);
        if (hadPrevious && !fs.rename(target, previous)) {
            throw new IOException("rename " + target + " -> " + previous + " failed");
        }
        if (!fs.rename(staged, target)) {
            if (hadPrevious) {
                fs.rename(previous, target);
            }
            throw new IOException("rename " + staged + " -> " + target + " failed");
        }
        if (hadPrevious) {
            fs.delete(previous, true);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            // a leftover staging folder is hidden from readers and replaced by the next write
        }
    }
}
