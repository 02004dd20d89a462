package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** The writer's read-back check: every written file's footer, as Spark would read it, against the table's columns. */
class MetricTableWriterTest {
    private static final SparkSession spark = SparkTestSession.shared();
    private static final TableSchema TABLE = MetricTables.ICS_METRICS;

    /** One row of the table's exact columns, all null but typed. */
    private static Dataset<Row> conforming() {
        Dataset<Row> one = spark.range(1).toDF();
        for (org.apache.spark.sql.types.StructField f : SparkTableSchema.dataType(TABLE).fields()) {
            one = one.withColumn(f.name(), lit(null).cast(f.dataType()));
        }
        return one.drop("id");
    }

    @Test
    void filesWithTheTablesColumnsPassAndAFileWithoutThemIsNamed(@TempDir Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path good = new org.apache.hadoop.fs.Path(dir.resolve("good").toUri());
        conforming().repartition(2).write().parquet(good.toString());
        MetricTableWriter.requireWrittenFilesConform(fs, good, TABLE, spark);

        // a second file whose column has another type: Spark's schema inference would have looked at one file only
        org.apache.hadoop.fs.Path mixed = new org.apache.hadoop.fs.Path(dir.resolve("mixed").toUri());
        conforming().write().parquet(mixed.toString());
        conforming().withColumn("step", col("step").cast("string")).write().mode("append").parquet(mixed.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MetricTableWriter.requireWrittenFilesConform(fs, mixed, TABLE, spark));
        assertTrue(e.getMessage().contains(TABLE.name()) && e.getMessage().contains("step"), e.getMessage());

        org.apache.hadoop.fs.Path empty = new org.apache.hadoop.fs.Path(dir.resolve("empty").toUri());
        fs.mkdirs(empty);
        e = assertThrows(IllegalStateException.class, () -> MetricTableWriter.requireWrittenFilesConform(fs, empty, TABLE, spark));
        assertTrue(e.getMessage().contains("left no Parquet file"), e.getMessage());
    }
}
