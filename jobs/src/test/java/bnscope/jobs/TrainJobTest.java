package bnscope.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Spark local[2] training on the repo's real CIFAR-10 sample: the loss falls, the metrics table reads
 * back with Spark SQL with every (worker, step) exactly once, and a run killed mid-way resumes from
 * its checkpoint to the same result as an uninterrupted run, without duplicate rows.
 */
@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class TrainJobTest {
    private static final int STEPS = 20;

    @TempDir
    static Path tmp;
    static Path uninterrupted;
    static String uninterruptedErr;

    private static String conf() {
        return Path.of(System.getProperty("bnscope.repo.root"), "conf", "default.conf").toString();
    }

    private static List<String> args(Path runDir, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", conf(), "--run-dir", runDir.toString(),
                "--set", "train.variants=[batchnorm]", "--set", "train.steps=" + STEPS,
                "--set", "train.eval_every=10", "--set", "train.checkpoint_every=10",
                "--set", "probe.enabled=false", "--set", "data.test_examples=500",
                "--set", "data.dir=" + Path.of(System.getProperty("bnscope.repo.root"), "data", "cifar10-mini")));
        a.addAll(List.of(extra));
        return a;
    }

    private static int main(List<String> args, StringBuilder errOut) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        errOut.append(err.toString(StandardCharsets.UTF_8));
        return status;
    }

    @BeforeAll
    static void trainOnce() {
        uninterrupted = tmp.resolve("uninterrupted");
        StringBuilder err = new StringBuilder();
        int status = main(args(uninterrupted), err);
        uninterruptedErr = err.toString();
        assertEquals(0, status, uninterruptedErr);
    }

    private static SparkSession spark() {
        return SparkSession.builder().getOrCreate();
    }

    private static Dataset<Row> metrics(Path run) {
        return spark().read().parquet(run.resolve("metrics").toString());
    }

    @Test
    void everyWorkerStepHasExactlyOneTrainRowAndTheLossFalls() throws Exception {
        Dataset<Row> m = metrics(uninterrupted);
        m.createOrReplaceTempView("m");
        Row counts = spark().sql("SELECT count(*), count(DISTINCT worker, step), min(step), max(step), count(DISTINCT worker) "
                + "FROM m WHERE kind = 'train'").first();
        assertEquals(2L * STEPS, counts.getLong(0));
        assertEquals(2L * STEPS, counts.getLong(1));
        assertEquals(0L, counts.getLong(2));
        assertEquals(STEPS - 1L, counts.getLong(3));
        assertEquals(2L, counts.getLong(4));
        double early = spark().sql("SELECT avg(loss) FROM m WHERE kind = 'train' AND step < 5").first().getDouble(0);
        double late = spark().sql("SELECT avg(loss) FROM m WHERE kind = 'train' AND step >= " + (STEPS - 5)).first().getDouble(0);
        assertTrue(late < early - 0.1, "training loss should fall: " + early + " -> " + late);
        List<Row> test = spark().sql("SELECT step, accuracy, examples FROM m WHERE kind = 'test' ORDER BY step").collectAsList();
        assertEquals(List.of(10L, 20L), test.stream().map(r -> r.getLong(0)).toList());
        assertEquals(500, test.get(1).getInt(2));
        assertTrue(test.get(1).getDouble(1) > 0.15, "test accuracy after 20 steps above chance: " + test.get(1));
        String manifest = Files.readString(uninterrupted.resolve("manifest.json"));
        assertTrue(manifest.contains("\"status\" : \"completed\""), manifest);
        assertTrue(manifest.contains("MKLDNNConvHelper"), "the oneDNN fast path must be on");
    }

    @Test
    void probesOnTheExecutorsDoNotChangeTraining() {
        Path probed = tmp.resolve("probed");
        StringBuilder err = new StringBuilder();
        // every probe at steps 0, 5 and 10, G/G' vectors included
        assertEquals(0, main(args(probed, "--set", "probe.enabled=true", "--set", "probe.ics.steps=[0,5,10]",
                "--set", "probe.landscape.steps=[0,5,10]", "--set", "probe.activations.steps=[0,5,10]",
                "--set", "probe.layer_norms.steps=[0,5,10]"), err), err.toString());
        metrics(probed).createOrReplaceTempView("probed");
        metrics(uninterrupted).createOrReplaceTempView("plain");
        Row joined = spark().sql("SELECT count(*), max(abs(a.loss - b.loss)) FROM probed a JOIN plain b "
                + "ON a.kind = b.kind AND a.worker = b.worker AND a.step = b.step").first();
        assertEquals(2L * STEPS + 2, joined.getLong(0));
        assertEquals(0.0, joined.getDouble(1), "losses with probes on must equal those with probes off");
        for (String table : List.of("ics", "ics_vectors", "landscape", "activations", "layer_norms")) {
            Dataset<Row> rows = spark().read().parquet(probed.resolve(table).toString());
            assertEquals(List.of(0L, 5L, 10L), rows.select("step").distinct().orderBy("step").collectAsList().stream()
                    .map(r -> r.getLong(0)).toList(), table + " recorded at the scheduled steps");
            assertEquals(2L, rows.select("worker").distinct().count(), table + " rows from both workers");
        }
    }

    @Test
    void aKilledRunResumesFromItsCheckpointWithoutDuplicatesAndEndsWhereAnUninterruptedRunEnds() throws Exception {
        Path run = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").toString(),
                "-Xmx3g", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(SparkSessions.executorJavaOptions().split(" ")));
        cmd.add(Main.class.getName());
        cmd.addAll(args(run));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        Path checkpoint = run.resolve("checkpoints/batchnorm/step-000000010.zip");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(checkpoint) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(checkpoint), "no checkpoint appeared: " + Files.readString(tmp.resolve("killed.log")));
        p.destroyForcibly().waitFor();
        String killed = Files.readString(run.resolve("manifest.json"));
        assertTrue(killed.contains("\"status\" : \"running\""), "a killed run is not marked complete: " + killed);

        StringBuilder err = new StringBuilder();
        assertEquals(0, main(args(run, "--resume"), err), err.toString());

        Dataset<Row> m = metrics(run);
        m.createOrReplaceTempView("resumed");
        Row counts = spark().sql("SELECT count(*), count(DISTINCT worker, step, kind) FROM resumed").first();
        assertEquals(2L * STEPS + 2, counts.getLong(0), "train rows for every worker and step plus two test rows");
        assertEquals(counts.getLong(0), counts.getLong(1), "no duplicated keys");
        metrics(uninterrupted).createOrReplaceTempView("reference");
        List<Row> diff = spark().sql("SELECT a.kind, a.worker, a.step, a.loss, b.loss FROM resumed a JOIN reference b "
                + "ON a.kind = b.kind AND a.worker = b.worker AND a.step = b.step WHERE abs(a.loss - b.loss) > 1e-5 * abs(b.loss)")
                .collectAsList();
        assertTrue(diff.isEmpty(), "resumed run differs from the uninterrupted one: " + diff);
    }
}
