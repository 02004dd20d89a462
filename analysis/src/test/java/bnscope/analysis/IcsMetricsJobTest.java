package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static bnscope.core.tables.SnapshotTables.ICS;
import static bnscope.core.tables.SnapshotTables.ICS_VECTORS;
import static org.junit.jupiter.api.Assertions.*;

@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class IcsMetricsJobTest {
    private static final SparkSession spark = SparkTestSession.shared();
    private static final int CHUNK = 3;

    /** G and G' of one (worker, step, layer), float32 as the executors store them. */
    private record Pair(float[] g, float[] gPrime) {
        double dot() {
            double s = 0;
            for (int i = 0; i < g.length; i++) {
                s += (double) g[i] * gPrime[i];
            }
            return s;
        }

        double gNorm() {
            double s = 0;
            for (float v : g) {
                s += (double) v * v;
            }
            return Math.sqrt(s);
        }

        double gPrimeNorm() {
            double s = 0;
            for (float v : gPrime) {
                s += (double) v * v;
            }
            return Math.sqrt(s);
        }

        double diffNorm() {
            double s = 0;
            for (int i = 0; i < g.length; i++) {
                double d = (double) g[i] - gPrime[i];
                s += d * d;
            }
            return Math.sqrt(s);
        }

        double cosine() {
            return dot() / (gNorm() * gPrimeNorm());
        }
    }

    private static Pair pair(int worker, long step, int layer) {
        Random r = new Random(1000L * worker + 10L * step + layer);
        float[] g = new float[7];
        float[] p = new float[7];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
            // layer 1: G' = G by definition; deeper layers move
            p[i] = layer == 1 ? g[i] : g[i] + 0.3f * (float) r.nextGaussian();
        }
        return new Pair(g, p);
    }

    private static List<Float> chunk(float[] v, int c) {
        List<Float> out = new ArrayList<>();
        for (int i = c * CHUNK; i < Math.min(v.length, (c + 1) * CHUNK); i++) {
            out.add(v[i]);
        }
        return out;
    }

    /** The run's ics_vectors rows for one key; {@code shortLastGPrime} drops the last element of G' (a corrupt row). */
    private static void addVectors(RunFixture run, String variant, int worker, long step, int layer, Pair p, boolean shortLastGPrime) {
        int chunks = (p.g().length + CHUNK - 1) / CHUNK;
        for (int c = 0; c < chunks; c++) {
            final int chunk = c;
            List<Float> gPrime = chunk(p.gPrime(), chunk);
            if (shortLastGPrime && c == chunks - 1) {
                gPrime.remove(gPrime.size() - 1);
            }
            run.add(ICS_VECTORS, variant, worker, step, b -> b.set("layer", layer).set("layer_name", "conv" + layer)
                    .set("param", "W").set("chunk", chunk).set("g", chunk(p.g(), chunk)).set("g_prime", gPrime));
        }
    }

    private static void addScalars(RunFixture run, String variant, int worker, long step, int layer,
                                   double gNorm, double gPrimeNorm, double dot, double diffNorm, double cosine) {
        run.add(ICS, variant, worker, step, b -> b.set("layer", layer).set("layer_name", "conv" + layer).set("param", "W")
                .set("g_norm", gNorm).set("g_prime_norm", gPrimeNorm).set("dot", dot).set("diff_norm", diffNorm)
                .set("cosine", cosine).set("batch_size", 8));
    }

    private static Row only(Dataset<Row> df, String where) {
        List<Row> rows = df.where(where).collectAsList();
        assertEquals(1, rows.size(), where);
        return rows.get(0);
    }

    @Test
    void theJobsSessionSettingsAreItsOwnAndTheSessionKeepsItsSettings(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "batch-run");
        for (int worker = 0; worker < 2; worker++) {
            Pair p = pair(worker, 0, 2);
            addScalars(run, "batchnorm", worker, 0, 2, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm(), p.cosine());
            addVectors(run, "batchnorm", worker, 0, 2, p, false);
        }
        RunDirectory dirOfRun = RunDirectory.open(spark, run.write());
        assertFalse(spark.conf().contains(IcsMetricsJob.READER_BATCH_KEY));
        assertFalse(spark.conf().contains(IcsMetricsJob.ADAPTIVE_KEY));
        // the job runs its write without adaptive execution (its own partitioning; nothing to re-plan) ...
        String plan = writePlan(() -> assertFalse(new IcsMetricsJob().run(dirOfRun, AnalyzeOptions.defaults()).checkFailed()));
        assertFalse(plan.contains("AdaptiveSparkPlan"), plan);
        assertFalse(spark.conf().contains(IcsMetricsJob.READER_BATCH_KEY), "the job's 256-row batches must not outlive it");
        assertFalse(spark.conf().contains(IcsMetricsJob.ADAPTIVE_KEY), "the job's adaptive setting must not outlive it");
        // ... and keeps what the session chose
        spark.conf().set(IcsMetricsJob.READER_BATCH_KEY, 2);
        spark.conf().set(IcsMetricsJob.ADAPTIVE_KEY, true);
        try {
            plan = writePlan(() -> assertFalse(new IcsMetricsJob().run(dirOfRun, AnalyzeOptions.defaults()).checkFailed()));
            assertTrue(plan.contains("AdaptiveSparkPlan"), plan);
            assertEquals("2", spark.conf().get(IcsMetricsJob.READER_BATCH_KEY));
            assertEquals("true", spark.conf().get(IcsMetricsJob.ADAPTIVE_KEY));
        } finally {
            spark.conf().unset(IcsMetricsJob.READER_BATCH_KEY);
            spark.conf().unset(IcsMetricsJob.ADAPTIVE_KEY);
        }
    }

    /** The physical plan of the Parquet write that {@code job} runs (the metric table's). */
    private static String writePlan(Runnable job) {
        List<String> plans = new java.util.concurrent.CopyOnWriteArrayList<>();
        QueryExecutionListener listener = new QueryExecutionListener() {
            @Override
            public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
                plans.add(qe.executedPlan().toString());
            }

            @Override
            public void onFailure(String funcName, QueryExecution qe, Exception exception) {
            }
        };
        spark.listenerManager().register(listener);
        try {
            job.run();
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listener bus did not drain", e);
        } finally {
            spark.listenerManager().unregister(listener);
        }
        return plans.stream().filter(p -> p.contains("InsertIntoHadoopFsRelationCommand")).findFirst()
                .orElseThrow(() -> new AssertionError("no Parquet write among " + plans));
    }

    @Test
    void thePagesTheColumnarScanAndTheRowPathGiveTheSameSums(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "columnar-run");
        for (int worker = 0; worker < 2; worker++) {
            Pair p = pair(worker, 0, 3);
            addScalars(run, "batchnorm", worker, 0, 3, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm(), p.cosine());
            addVectors(run, "batchnorm", worker, 0, 3, p, false);
        }
        // a manifest that records the run's learning rate and seed, as train writes them: the cell
        // columns are filled after the sums, so the scan stays plain columns and columnar
        RunDirectory vectors = RunDirectory.open(spark, run.write("{\"run_id\": \"columnar-run\", \"config\": {\"train.learning_rate\": 0.1, \"run.seed\": 1}, "
                + "\"variants\": [\"batchnorm\"], \"status\": \"completed\"}"));
        // what the sums read before: the cells filled in inside the scan's projection, which then is not plain columns
        Dataset<Row> completed = vectors.read(ICS_VECTORS).select("variant", "learning_rate", "seed", "worker", "step", "layer", "param", "g", "g_prime");
        assertNull(IcsVectorSums.fileScan(completed.queryExecution().executedPlan()), completed.queryExecution().executedPlan().toString());
        Dataset<Row> selected = vectors.readAsStored(ICS_VECTORS).select("variant", "learning_rate", "seed", "worker", "step", "layer", "param", "g", "g_prime");
        assertTrue(IcsVectorSums.fileScan(selected.queryExecution().executedPlan()).supportsColumnar(),
                selected.queryExecution().executedPlan().toString());
        List<Row> pages = IcsVectorSums.of(vectors).orderBy("worker", "step", "layer", "d2").collectAsList();
        spark.conf().set(IcsMetricsJob.VECTOR_READER_KEY, "spark");
        try {
            assertEquals(pages, IcsVectorSums.of(vectors).orderBy("worker", "step", "layer", "d2").collectAsList(), "columnar scan");
            spark.conf().set("spark.sql.parquet.enableNestedColumnVectorizedReader", false);
            Dataset<Row> rowBased = vectors.readAsStored(ICS_VECTORS).select("variant", "learning_rate", "seed", "worker", "step", "layer", "param", "g", "g_prime");
            assertFalse(IcsVectorSums.fileScan(rowBased.queryExecution().executedPlan()).supportsColumnar());
            assertEquals(pages, IcsVectorSums.of(vectors).orderBy("worker", "step", "layer", "d2").collectAsList(), "row path");
        } finally {
            spark.conf().unset("spark.sql.parquet.enableNestedColumnVectorizedReader");
            spark.conf().unset(IcsMetricsJob.VECTOR_READER_KEY);
        }
        // worker 0's chunks add up to ‖G−G'‖²
        double d2 = pages.stream().filter(r -> r.<Integer>getAs("worker") == 0).mapToDouble(r -> r.<Double>getAs("d2")).sum();
        double diffNorm = pair(0, 0, 3).diffNorm();
        assertEquals(diffNorm * diffNorm, d2, 1e-12 * d2);
        assertEquals(3, pages.stream().filter(r -> r.<Integer>getAs("worker") == 0).count(), "7 values in chunks of 3");
        assertTrue(pages.stream().allMatch(r -> r.<Double>getAs("learning_rate") == 0.1 && r.<Long>getAs("seed") == 1L));
    }

    @Test
    void aggregatesOverWorkersAndRecomputesScalarsFromVectorsInSql(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "ics-run");
        // standard: scalars only, hand-picked so the worker statistics are obvious
        addScalars(run, "standard", 0, 0, 1, 2.0, 2.0, 4.0, 1.0, 0.5);
        addScalars(run, "standard", 1, 0, 1, 4.0, 4.0, 16.0, 3.0, 0.9);
        // batchnorm: vectors stored, scalars as an executor would compute them
        for (int worker = 0; worker < 2; worker++) {
            for (long step = 0; step < 2; step++) {
                for (int layer = 1; layer <= 2; layer++) {
                    Pair p = pair(worker, step, layer);
                    addVectors(run, "batchnorm", worker, step, layer, p, false);
                    addScalars(run, "batchnorm", worker, step, layer, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm(), p.cosine());
                }
            }
        }
        RunDirectory rd = RunDirectory.open(spark, run.write());
        MetricJob.JobOutcome outcome = new IcsMetricsJob().run(rd, AnalyzeOptions.defaults());
        assertEquals(1 + 2 * 2, outcome.rows());
        assertFalse(outcome.checkFailed(), outcome.summary());
        assertTrue(outcome.summary().contains("8 rows checked") && outcome.summary().endsWith("PASS"), outcome.summary());

        Dataset<Row> m = rd.read(MetricTables.ICS_METRICS);
        assertEquals(Arrays.asList(SparkTableSchema.dataType(MetricTables.ICS_METRICS).fieldNames()), Arrays.asList(m.columns()));

        Row std = only(m, "variant = 'standard'");
        assertEquals(2, std.<Integer>getAs("workers"));
        assertEquals("conv1", std.getAs("layer_name"));
        assertEquals(2.0, std.<Double>getAs("diff_norm_mean"), 1e-15);
        assertEquals(1.0, std.<Double>getAs("diff_norm_std"), 1e-15);
        assertEquals(1.0, std.<Double>getAs("diff_norm_min"));
        assertEquals(3.0, std.<Double>getAs("diff_norm_max"));
        assertEquals(0.7, std.<Double>getAs("cosine_mean"), 1e-15);
        assertEquals(0.2, std.<Double>getAs("cosine_std"), 1e-15);
        assertEquals(0.5, std.<Double>getAs("cosine_min"));
        assertEquals(0.9, std.<Double>getAs("cosine_max"));
        assertEquals(3.0, std.<Double>getAs("g_norm_mean"), 1e-15);
        assertTrue(std.isNullAt(std.fieldIndex("vector_diff_norm_mean")));
        assertTrue(std.isNullAt(std.fieldIndex("vector_check_rel_diff")));

        for (long step = 0; step < 2; step++) {
            for (int layer = 1; layer <= 2; layer++) {
                Pair a = pair(0, step, layer);
                Pair b = pair(1, step, layer);
                Row r = only(m, "variant = 'batchnorm' AND step = " + step + " AND layer = " + layer);
                double mean = (a.diffNorm() + b.diffNorm()) / 2;
                assertEquals(mean, r.<Double>getAs("diff_norm_mean"), 1e-12);
                assertEquals(Math.abs(a.diffNorm() - b.diffNorm()) / 2, r.<Double>getAs("diff_norm_std"), 1e-12);
                assertEquals(mean, r.<Double>getAs("vector_diff_norm_mean"), 1e-12);
                assertEquals((a.cosine() + b.cosine()) / 2, r.<Double>getAs("vector_cosine_mean"), 1e-12);
                assertTrue(r.<Double>getAs("vector_check_rel_diff") <= 1e-12, "rel diff " + r.getAs("vector_check_rel_diff"));
                if (layer == 1) {
                    assertEquals(0.0, r.<Double>getAs("vector_diff_norm_mean"), "G' = G for the first layer");
                    assertEquals(1.0, r.<Double>getAs("vector_cosine_mean"), 1e-12);
                }
            }
        }

        // The analyst's SQL form (docs/queries.md: zip_with + aggregate, group by key) gives the job's numbers.
        rd.read(ICS_VECTORS).createOrReplaceTempView("ics_vectors");
        List<Row> sql = spark.sql("SELECT worker, step, layer, sqrt(sum(aggregate(zip_with(g, g_prime, (a, b) -> CAST(a AS DOUBLE) - b), "
                + "0D, (acc, d) -> acc + d * d))) AS diff_norm FROM ics_vectors GROUP BY worker, step, layer").collectAsList();
        spark.catalog().dropTempView("ics_vectors");
        assertEquals(8, sql.size());
        Dataset<Row> workerRows = new IcsMetricsJob().workerRows(rd);
        for (Row q : sql) {
            Row job = only(workerRows, "variant = 'batchnorm' AND worker = " + q.getInt(0) + " AND step = " + q.getLong(1)
                    + " AND layer = " + q.getInt(2));
            assertEquals(q.getDouble(3), job.<Double>getAs("vec_diff_norm"), 1e-12 * (1 + q.getDouble(3)));
            assertEquals(pair(q.getInt(0), q.getLong(1), q.getInt(2)).diffNorm(), q.getDouble(3), 1e-12);
        }
    }

    @Test
    void vectorCheckFailsOnWrongScalarsUnequalChunksAndDuplicateKeys(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "bad-run");
        Pair p = pair(0, 0, 2);
        addVectors(run, "batchnorm", 0, 0, 2, p, false);
        // the executor's diff norm is off by 1 %: relative difference 0.01 / 1.01
        addScalars(run, "batchnorm", 0, 0, 2, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm() * 1.01, p.cosine());
        Pair q = pair(1, 0, 2);
        addVectors(run, "batchnorm", 1, 0, 2, q, true);
        addScalars(run, "batchnorm", 1, 0, 2, q.gNorm(), q.gPrimeNorm(), q.dot(), q.diffNorm(), q.cosine());
        // vectors for a step with no scalar row
        addVectors(run, "batchnorm", 1, 1, 2, pair(1, 1, 2), false);
        // an ics key written twice (correct values both times): not a second worker, a broken key
        Pair d = pair(0, 1, 2);
        addVectors(run, "batchnorm", 0, 1, 2, d, false);
        for (int copy = 0; copy < 2; copy++) {
            addScalars(run, "batchnorm", 0, 1, 2, d.gNorm(), d.gPrimeNorm(), d.dot(), d.diffNorm(), d.cosine());
        }
        RunDirectory rd = RunDirectory.open(spark, run.write());

        IcsMetricsJob.VectorCheck check = IcsMetricsJob.check(new IcsMetricsJob().workerRows(rd), 1e-4);
        assertEquals(1, check.rowsChecked());
        assertEquals(0.01 / 1.01, check.maxRelDiff(), 1e-12);
        assertEquals(1, check.badKeys());
        assertEquals(1, check.orphanVectorKeys());
        assertEquals(1, check.uncheckedRows());
        assertEquals(1, check.duplicateKeys());
        assertFalse(check.passed());
        assertTrue(check.summary().contains("1 keys with more than one ics row") && check.summary().endsWith("FAIL"), check.summary());

        MetricJob.JobOutcome outcome = new IcsMetricsJob().run(rd, AnalyzeOptions.defaults());
        assertTrue(outcome.checkFailed());
        Row r = only(rd.read(MetricTables.ICS_METRICS), "step = 0");
        assertTrue(r.isNullAt(r.fieldIndex("vector_diff_norm_mean")), "one worker's vectors are incomplete: no mean over both");
        assertEquals(0.01 / 1.01, r.<Double>getAs("vector_check_rel_diff"), 1e-12);
    }

    @Test
    void aDuplicatedKeyAloneFailsACheckThatOtherwisePasses(@TempDir Path dir) {
        RunFixture run = new RunFixture(dir, "duplicate-run");
        Pair p = pair(0, 0, 2);
        addVectors(run, "batchnorm", 0, 0, 2, p, false);
        addScalars(run, "batchnorm", 0, 0, 2, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm(), p.cosine());
        addScalars(run, "batchnorm", 0, 0, 2, p.gNorm(), p.gPrimeNorm(), p.dot(), p.diffNorm(), p.cosine());
        Pair q = pair(1, 0, 2);
        addVectors(run, "batchnorm", 1, 0, 2, q, false);
        addScalars(run, "batchnorm", 1, 0, 2, q.gNorm(), q.gPrimeNorm(), q.dot(), q.diffNorm(), q.cosine());
        IcsMetricsJob.VectorCheck check = IcsMetricsJob.check(new IcsMetricsJob().workerRows(RunDirectory.open(spark, run.write())), 1e-4);
        assertEquals(1, check.rowsChecked(), "worker 1's key is checked");
        assertTrue(check.maxRelDiff() <= 1e-12, check.summary());
        assertEquals(0, check.badKeys() + check.orphanVectorKeys() + check.uncheckedRows());
        assertEquals(1, check.duplicateKeys());
        assertFalse(check.passed(), check.summary());
    }
}
