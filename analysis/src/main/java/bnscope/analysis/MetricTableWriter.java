package bnscope.analysis;

import bnscope.core.tables.TableSchema;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat$;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.StructType;
import org.apache.parquet.hadoop.Footer;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * Writes a computed DataFrame as a metric table: projected to the table's exact columns, checked,
 * written as Parquet into a staging folder ({@code RUN/_metric_staging/TABLE}), checked again as
 * read back from every file's footer, and only then moved into place. The computation reads its
 * input tables while Spark writes, so a damaged input file fails the write itself; staging means such a failure leaves the
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
            requireWrittenFilesConform(fs, staged, table, run.spark());
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

    /**
     * Every Parquet file the write left in {@code staged} holds the table's columns, as Spark reads
     * them back: each footer read on the driver and converted as Spark's schema inference converts it
     * ({@code ParquetFileFormat.readSchemaFromFooter}). Spark's own {@code read().parquet(dir).schema()}
     * would run a Spark job for it and look at one file only; a few footers of a metric table are
     * quicker to read here (about 0.05 s of ics_metrics' 0.9 s, docs/analysis.md).
     */
    static void requireWrittenFilesConform(FileSystem fs, Path staged, TableSchema table, SparkSession spark) throws IOException {
        FileStatus[] files = fs.listStatus(staged, p -> p.getName().endsWith(".parquet"));
        if (files.length == 0) {
            throw new IllegalStateException("the write of table " + table.name() + " left no Parquet file in " + staged);
        }
        ParquetToSparkSchemaConverter converter = new ParquetToSparkSchemaConverter(spark.sessionState().conf());
        for (FileStatus f : files) {
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, fs.getConf()))) {
                StructType schema = ParquetFileFormat$.MODULE$.readSchemaFromFooter(new Footer(f.getPath(), reader.getFooter()), converter);
                SparkTableSchema.requireConforms(schema, table);
            }
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
