package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static bnscope.core.tables.SnapshotTables.METRICS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Metric jobs on grids: snapshot Parquet whose rows carry learning_rate and seed (as a grid run writes
 * them) gives one metric row per cell, and nothing is averaged or smoothed across cells; a run written
 * before the columns existed is its manifest's one cell.
 */
class GridMetricJobsTest {
    private static final SparkSession spark = SparkTestSession.shared();

    /** The metrics table as a grid run's files hold it (cell columns after run_id), the partition column variant last. */
    private static StructType gridMetrics() {
        return SparkTableSchema.readType(METRICS);
    }

    /** The metrics table as runs wrote it before the cell columns existed. */
    private static StructType oldMetrics() {
        return new StructType(java.util.Arrays.stream(gridMetrics().fields())
                .filter(f -> !f.name().equals("learning_rate") && !f.name().equals("seed")).toArray(org.apache.spark.sql.types.StructField[]::new));
    }

    /** Training loss of one worker row: distinct per cell, step and worker so any mixing shows. */
    private static double loss(double lr, long seed, long step, int worker) {
        return 10 * lr + seed + 0.01 * step + 0.001 * worker;
    }

    @Test
    void curvesHaveOneRowPerCellAndSmoothWithinTheCell(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (double lr : new double[]{0.1, 0.5}) {
            for (long seed : new long[]{1, 2}) {
                for (long step = 0; step < 6; step++) {
                    for (int w = 0; w < 2; w++) {
                        double l = loss(lr, seed, step, w);
                        rows.add(RowFactory.create("grid", lr, seed, w, 0, (int) step, step, "train", l, 0.5, 64, 0L, "batchnorm"));
                    }
                }
            }
        }
        spark.createDataFrame(rows, gridMetrics()).write().mode(SaveMode.Overwrite).partitionBy("variant")
                .parquet(dir.resolve("metrics").toString());
        Files.writeString(dir.resolve("manifest.json"), "{\"run_id\": \"grid\", \"config\": {\"train.learning_rate\": 0.1, \"run.seed\": 1}}");
        RunDirectory run = RunDirectory.open(spark, dir.toString());
        new CurvesJob().run(run, AnalyzeOptions.defaults().withSmoothingWindow(3));
        List<Row> curves = run.read(MetricTables.CURVES).orderBy("learning_rate", "seed", "step").collectAsList();
        assertEquals(2 * 2 * 6, curves.size(), "one row per cell and step");
        for (Row r : curves) {
            double lr = r.getAs("learning_rate");
            long seed = r.getAs("seed");
            long step = r.getAs("step");
            double mean = (loss(lr, seed, step, 0) + loss(lr, seed, step, 1)) / 2;
            assertEquals(mean, r.<Double>getAs("loss"), 1e-12, "mean over the cell's two workers");
            assertEquals(128L, r.<Long>getAs("examples"));
            // the trailing window of 3 rows never reaches into another cell
            double smoothed = 0;
            long from = Math.max(0, step - 2);
            for (long s = from; s <= step; s++) {
                smoothed += (loss(lr, seed, s, 0) + loss(lr, seed, s, 1)) / 2 / (step - from + 1);
            }
            assertEquals(smoothed, r.<Double>getAs("loss_smoothed"), 1e-12, "lr " + lr + " seed " + seed + " step " + step);
        }
        // the columns are the metric table's key, right after variant
        assertEquals(List.of("variant", "learning_rate", "seed", "kind", "step"), MetricTables.CURVES.keyColumns());
    }

    @Test
    void aRunWrittenBeforeTheCellColumnsIsItsManifestsOneCell(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (long s = 0; s < 3; s++) {
            rows.add(RowFactory.create("old", 0, 0, (int) s, s, "train", 2.0 - 0.1 * s, 0.1, 32, 0L, "standard"));
        }
        spark.createDataFrame(rows, oldMetrics()).write().partitionBy("variant").parquet(dir.resolve("metrics").toString());
        Files.writeString(dir.resolve("manifest.json"), "{\"run_id\": \"old\", \"config\": {\"train.learning_rate\": 0.3, \"run.seed\": 7}}");
        RunDirectory run = RunDirectory.open(spark, dir.toString());
        new CurvesJob().run(run, AnalyzeOptions.defaults());
        List<Row> cells = run.read(MetricTables.CURVES).select("learning_rate", "seed").distinct().collectAsList();
        assertEquals(List.of(RowFactory.create(0.3, 7L)), cells);
        // the snapshot rows read the same way
        assertEquals(3, run.read(SnapshotTables.METRICS).where("learning_rate = 0.3 AND seed = 7").count());
    }
}
