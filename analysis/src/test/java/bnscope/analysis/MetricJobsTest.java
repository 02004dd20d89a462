package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.DoubleStream;

import static bnscope.core.tables.SnapshotTables.ACTIVATIONS;
import static bnscope.core.tables.SnapshotTables.LANDSCAPE;
import static bnscope.core.tables.SnapshotTables.METRICS;
import static org.junit.jupiter.api.Assertions.*;

/** moments, landscape_metrics and curves on hand-made snapshot tables with answers computed here. */
@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class MetricJobsTest {
    private static final SparkSession spark = SparkTestSession.shared();

    private static Row only(Dataset<Row> df, String where) {
        List<Row> rows = df.where(where).collectAsList();
        assertEquals(1, rows.size(), where);
        return rows.get(0);
    }

    private static void assertColumns(RunDirectory run, bnscope.core.tables.TableSchema table) {
        Dataset<Row> back = spark.read().parquet(run.tablePath(table).toString());
        assertEquals(Arrays.asList(SparkTableSchema.dataType(table).fieldNames()), Arrays.asList(back.columns()));
        assertEquals(SparkTableSchema.dataType(table).simpleString(), back.schema().simpleString());
    }

    // ---- moments ------------------------------------------------------------------------------

    /** Population central moment of order k about the mean, in two passes. */
    private static double central(double[] x, int k) {
        double mean = DoubleStream.of(x).average().orElseThrow();
        return DoubleStream.of(x).map(v -> Math.pow(v - mean, k)).sum() / x.length;
    }

    private static double[] concat(double[] a, double[] b) {
        return DoubleStream.concat(DoubleStream.of(a), DoubleStream.of(b)).toArray();
    }

    private static List<Float> floats(double[] x) {
        List<Float> out = new ArrayList<>();
        for (double v : x) {
            out.add((float) v);
        }
        return out;
    }

    /** One worker's activation row, with the exact moments of its own values and the given sample. */
    private static void addActivations(RunFixture run, int worker, long step, int unit, double[] values, double[] sample) {
        run.add(ACTIVATIONS, "batchnorm", worker, step, b -> b.set("layer", 3).set("layer_name", "conv2_1")
                .set("point", "input").set("unit", unit).set("count", (long) values.length)
                .set("mean", DoubleStream.of(values).average().orElseThrow())
                .set("m2", central(values, 2)).set("m3", central(values, 3)).set("m4", central(values, 4))
                .set("min", DoubleStream.of(values).min().orElseThrow()).set("max", DoubleStream.of(values).max().orElseThrow())
                .set("sample", floats(sample)));
    }

    @Test
    void momentsMergeExactlyAcrossWorkers(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "moments");
        double[] w0s0 = {1, 2, 4, 7};
        double[] w1s0 = {3, 5, 11};
        double[] w0s1 = {2, 2, 2};
        double[] w1s1 = {2, 2};
        // pooled samples 0..20: exact percentiles 1, 10, 19
        double[] evens = DoubleStream.iterate(0, v -> v + 2).limit(11).toArray();
        double[] odds = DoubleStream.iterate(1, v -> v + 2).limit(10).toArray();
        addActivations(run, 0, 0, 0, w0s0, evens);
        addActivations(run, 1, 0, 0, w1s0, odds);
        // pooled samples {0, 10}: interpolated percentiles 0.5, 5, 9.5
        addActivations(run, 0, 1, 0, w0s1, new double[]{10});
        addActivations(run, 1, 1, 0, w1s1, new double[]{0});
        // far from zero, with very unequal spreads: raw power sums would lose every digit here
        double[] big0 = {1e8 + 0.5, 1e8 + 1.5, 1e8 - 2.0, 1e8 + 0.25, 1e8 + 3.0};
        double[] big1 = {1e8 + 40.0, 1e8 - 35.0};
        addActivations(run, 0, 0, 1, big0, new double[]{1});
        addActivations(run, 1, 0, 1, big1, new double[]{2});
        RunDirectory rd = RunDirectory.open(spark, run.write());

        MetricJob.JobOutcome outcome = new MomentsJob().run(rd, AnalyzeOptions.defaults());
        assertEquals(3, outcome.rows());
        assertColumns(rd, MetricTables.MOMENTS);
        Dataset<Row> m = rd.read(MetricTables.MOMENTS);

        double[] all0 = concat(w0s0, w1s0);
        Row s0 = only(m, "unit = 0 AND step = 0");
        assertEquals(2, s0.<Integer>getAs("workers"));
        assertEquals(7L, s0.<Long>getAs("count"));
        assertEquals("conv2_1", s0.getAs("layer_name"));
        assertEquals(33.0 / 7, s0.<Double>getAs("mean"), 1e-14);
        assertEquals(central(all0, 2), s0.<Double>getAs("variance"), 1e-13);
        assertEquals(central(all0, 3) / Math.pow(central(all0, 2), 1.5), s0.<Double>getAs("skewness"), 1e-13);
        assertEquals(central(all0, 4) / Math.pow(central(all0, 2), 2) - 3, s0.<Double>getAs("kurtosis"), 1e-13);
        assertEquals(1.0, s0.<Double>getAs("p05"), 1e-12);
        assertEquals(10.0, s0.<Double>getAs("p50"), 1e-12);
        assertEquals(19.0, s0.<Double>getAs("p95"), 1e-12);
        assertTrue(s0.isNullAt(s0.fieldIndex("delta_mean")), "first recorded step has no previous one");
        assertTrue(s0.isNullAt(s0.fieldIndex("delta_variance")));

        Row s1 = only(m, "unit = 0 AND step = 1");
        assertEquals(2.0, s1.<Double>getAs("mean"), 0);
        assertEquals(0.0, s1.<Double>getAs("variance"), 0);
        assertTrue(Double.isNaN(s1.<Double>getAs("skewness")), "constant values have no skewness");
        assertTrue(Double.isNaN(s1.<Double>getAs("kurtosis")));
        assertEquals(0.5, s1.<Double>getAs("p05"), 1e-12);
        assertEquals(5.0, s1.<Double>getAs("p50"), 1e-12);
        assertEquals(9.5, s1.<Double>getAs("p95"), 1e-12);
        assertEquals(Math.abs(2.0 - 33.0 / 7), s1.<Double>getAs("delta_mean"), 1e-14);
        assertEquals(central(all0, 2), s1.<Double>getAs("delta_variance"), 1e-13);

        double[] big = concat(big0, big1);
        Row b = only(m, "unit = 1");
        assertEquals(DoubleStream.of(big).average().orElseThrow(), b.<Double>getAs("mean"), 1e-7);
        double var = central(big, 2);
        assertEquals(var, b.<Double>getAs("variance"), 1e-9 * var);
        assertEquals(central(big, 3) / Math.pow(var, 1.5), b.<Double>getAs("skewness"), 1e-7);
        assertEquals(central(big, 4) / (var * var) - 3, b.<Double>getAs("kurtosis"), 1e-7);
    }

    // ---- landscape ----------------------------------------------------------------------------

    private static void addLandscape(RunFixture run, int worker, long step, double eta, double loss, double gradDiff, double stepNorm) {
        run.add(LANDSCAPE, "standard", worker, step, b -> b.set("eta", eta).set("eta_over_lr", eta / 0.1).set("loss", loss)
                .set("base_loss", 2.0).set("grad_diff_norm", gradDiff).set("step_norm", stepNorm).set("grad_norm", 5.0));
    }

    @Test
    void landscapeBandsAndBetaSmoothness(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "landscape");
        // worker 0: ratios 2, 3, 4 -> beta 4; worker 1: ratios 5, 2.5, 3 -> beta 5
        addLandscape(run, 0, 10, 0.05, 2.0, 1.0, 0.5);
        addLandscape(run, 0, 10, 0.10, 2.5, 3.0, 1.0);
        addLandscape(run, 0, 10, 0.20, 4.0, 8.0, 2.0);
        addLandscape(run, 1, 10, 0.05, 1.5, 2.5, 0.5);
        addLandscape(run, 1, 10, 0.10, 3.0, 2.5, 1.0);
        addLandscape(run, 1, 10, 0.20, 5.0, 6.0, 2.0);
        // one worker only at step 20
        addLandscape(run, 0, 20, 0.05, 1.0, 0.2, 0.1);
        addLandscape(run, 0, 20, 0.20, 1.2, 0.6, 0.4);
        RunDirectory rd = RunDirectory.open(spark, run.write());
        assertEquals(2, new LandscapeMetricsJob().run(rd, AnalyzeOptions.defaults()).rows());
        assertColumns(rd, MetricTables.LANDSCAPE_METRICS);
        Dataset<Row> m = rd.read(MetricTables.LANDSCAPE_METRICS);

        Row r = only(m, "step = 10");
        assertEquals("standard", r.getAs("variant"));
        assertEquals(2, r.<Integer>getAs("workers"));
        assertEquals(3, r.<Integer>getAs("points"));
        assertEquals(1.5, r.<Double>getAs("loss_min"));
        assertEquals(5.0, r.<Double>getAs("loss_max"));
        assertEquals(1.0, r.<Double>getAs("grad_diff_min"));
        assertEquals(8.0, r.<Double>getAs("grad_diff_max"));
        assertEquals(4.5, r.<Double>getAs("beta_smoothness"), 1e-15);
        assertEquals(5.0, r.<Double>getAs("beta_smoothness_max"), 1e-15);

        Row s = only(m, "step = 20");
        assertEquals(1, s.<Integer>getAs("workers"));
        assertEquals(2, s.<Integer>getAs("points"));
        assertEquals(2.0, s.<Double>getAs("beta_smoothness"), 1e-15);
    }

    // ---- curves -------------------------------------------------------------------------------

    @Test
    void curvesAverageWorkersAndSmoothTrainingRows(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "curves");
        double[] acc0 = {0.1, 0.2, 0.3, 0.4, 0.5};
        double[] acc1 = {0.3, 0.4, 0.5, 0.6, 0.7};
        for (int step = 0; step < 5; step++) {
            final int s = step;
            run.add(METRICS, "batchnorm", 0, step, b -> b.set("kind", "train").set("loss", 3.0 - s).set("accuracy", acc0[s])
                    .set("examples", 128).set("time_ms", 1000L + s));
            run.add(METRICS, "batchnorm", 1, step, b -> b.set("kind", "train").set("loss", 5.0 - s).set("accuracy", acc1[s])
                    .set("examples", 100).set("time_ms", 1000L + s));
        }
        run.add(METRICS, "batchnorm", -1, 2, b -> b.set("kind", "test").set("loss", 1.7).set("accuracy", 0.41)
                .set("examples", 10000).set("time_ms", 2000L));
        run.add(METRICS, "batchnorm", -1, 5, b -> b.set("kind", "test").set("loss", 1.2).set("accuracy", 0.62)
                .set("examples", 10000).set("time_ms", 3000L));
        RunDirectory rd = RunDirectory.open(spark, run.write());
        assertEquals(7, new CurvesJob().run(rd, AnalyzeOptions.defaults().withSmoothingWindow(3)).rows());
        assertColumns(rd, MetricTables.CURVES);
        Dataset<Row> c = rd.read(MetricTables.CURVES);

        // per-step worker means: accuracy 0.2 0.3 0.4 0.5 0.6, loss 4 3 2 1 0; trailing mean over 3 rows
        double[] accSmoothed = {0.2, 0.25, 0.3, 0.4, 0.5};
        double[] lossSmoothed = {4.0, 3.5, 3.0, 2.0, 1.0};
        for (int step = 0; step < 5; step++) {
            Row r = only(c, "kind = 'train' AND step = " + step);
            assertEquals(228L, r.<Long>getAs("examples"));
            assertEquals(0.2 + 0.1 * step, r.<Double>getAs("accuracy"), 1e-15);
            assertEquals(4.0 - step, r.<Double>getAs("loss"), 1e-15);
            assertEquals(accSmoothed[step], r.<Double>getAs("accuracy_smoothed"), 1e-15);
            assertEquals(lossSmoothed[step], r.<Double>getAs("loss_smoothed"), 1e-15);
        }
        Row t = only(c, "kind = 'test' AND step = 5");
        assertEquals(10000L, t.<Long>getAs("examples"));
        assertEquals(0.62, t.<Double>getAs("accuracy"));
        assertEquals(0.62, t.<Double>getAs("accuracy_smoothed"), "test rows are not smoothed");
        assertEquals(1.2, t.<Double>getAs("loss_smoothed"));
        assertEquals(0.41, only(c, "kind = 'test' AND step = 2").<Double>getAs("accuracy_smoothed"));
    }
}
