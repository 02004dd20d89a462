package bnscope.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    /** The one grid cell these runs train: batchnorm at default.conf's learning rate and seed. */
    private static final String CELL = "batchnorm-lr0.1-seed42";

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

    private record Outcome(int status, String out, String err) {
    }

    /** Main.run in this JVM with both streams captured. */
    private static Outcome run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Main in its own JVM (a second process, as a user's second shell would start it). */
    private static Process start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").toString(),
                "-Xmx3g", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(SparkSessions.executorJavaOptions().split(" ")));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static JsonNode manifest(Path run) throws IOException {
        return new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
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
        // a run without a grid is a grid of one: every row carries train.learning_rate and run.seed (default.conf: 0.1, 42)
        List<Row> cells = spark().sql("SELECT DISTINCT learning_rate, seed FROM m").collectAsList();
        assertEquals(List.of(org.apache.spark.sql.RowFactory.create(0.1, 42L)), cells);
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
        Process p = start(args(run), tmp.resolve("killed.log"));
        Path checkpoint = run.resolve("checkpoints/" + CELL + "/step-000000010.zip");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(checkpoint) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(checkpoint), "no checkpoint appeared: " + Files.readString(tmp.resolve("killed.log")));
        p.destroyForcibly().waitFor();
        String killed = Files.readString(run.resolve("manifest.json"));
        assertTrue(killed.contains("\"status\" : \"running\""), "a killed run is not marked complete: " + killed);

        // the killed driver's lock stays behind: stale (its pid is gone), taken over only on request
        Outcome refused = run(args(run, "--resume"));
        assertEquals(2, refused.status(), refused.err());
        assertTrue(refused.err().contains("no longer running") && refused.err().contains("--break-lock"), refused.err());
        Outcome resumed = run(args(run, "--resume", "--break-lock"));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("manifest says \"running\"") && resumed.out().contains("which is no longer running")
                && resumed.out().contains("continues from " + CELL + " step 10"), resumed.out());
        JsonNode after = manifest(run);
        assertEquals("completed", after.path("status").asText());
        assertEquals(10, after.path("resumes").path(0).path("from_step").path(CELL).asInt(), after.toString());
        assertFalse(Files.exists(run.resolve("_lock")), "the lock is released at the end");

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

    @Test
    void resumeWithAChangedConfigIsRefusedAndLeavesTheRecordAlone() throws Exception {
        byte[] before = Files.readAllBytes(uninterrupted.resolve("manifest.json"));
        Outcome o = run(args(uninterrupted, "--resume", "--set", "train.learning_rate=0.3", "--set", "train.steps=40"));
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("train.learning_rate was 0.1, now 0.3"), o.err());
        assertFalse(o.err().contains("train.steps was"), "train.steps may grow: " + o.err());
        assertFalse(o.out().contains("already completed"), o.out());
        assertArrayEquals(before, Files.readAllBytes(uninterrupted.resolve("manifest.json")), "the record is unchanged");
    }

    @Test
    void growingTrainStepsOnResumeContinuesToTheNumbersOfOneLongRun() throws Exception {
        Path run = tmp.resolve("grown");
        Outcome first = run(args(run, "--set", "train.steps=10"));
        assertEquals(0, first.status(), first.err());
        Outcome grown = run(args(run, "--resume"));
        assertEquals(0, grown.status(), grown.err());
        assertTrue(grown.out().contains("resuming from checkpoint at step 10"), grown.out());
        assertEquals(List.of(), RunComparison.differences(spark(), uninterrupted, run, 1e-5));
        JsonNode m = manifest(run);
        assertEquals(20, m.path("config").path("train.steps").asInt());
        assertEquals(20, m.path("cells").path(CELL).path("steps").asInt());
        JsonNode resume = m.path("resumes").path(0);
        assertEquals(10, resume.path("changed").path("train.steps").path("from").asInt(), m.toString());
        assertEquals(20, resume.path("changed").path("train.steps").path("to").asInt());
        assertEquals(10, resume.path("from_step").path(CELL).asInt());
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstTrainsAndTheFirstRunIsUndisturbed() throws Exception {
        Path run = tmp.resolve("locked");
        Process first = start(args(run), tmp.resolve("locked.log"));
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!(Files.exists(run.resolve("_lock")) && Files.exists(run.resolve("manifest.json"))) && first.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(first.isAlive(), "the first run ended too early: " + Files.readString(tmp.resolve("locked.log")));
            Outcome second = run(args(run, "--resume"));
            assertEquals(2, second.status(), second.err());
            assertTrue(second.err().contains("is being written by `train") && second.err().contains("pid " + first.pid()), second.err());
            Outcome broken = run(args(run, "--resume", "--break-lock"));
            assertEquals(2, broken.status(), "a live lock is never broken: " + broken.err());
            Outcome analyze = run(List.of("analyze", run.toString()));
            assertEquals(2, analyze.status(), analyze.err());
            Outcome sql = run(List.of("sql", "SELECT count(*) FROM metrics", "--runs", run.toString()));
            assertTrue(sql.out().contains("is still being written by"), sql.out() + sql.err());
            assertTrue(first.waitFor(5, TimeUnit.MINUTES), "the first run did not finish");
            assertEquals(0, first.exitValue(), Files.readString(tmp.resolve("locked.log")));
        } finally {
            first.destroyForcibly();
        }
        assertEquals("completed", manifest(run).path("status").asText());
        assertEquals(List.of(), RunComparison.differences(spark(), uninterrupted, run, 1e-5));
    }

    @Test
    void anUnwritableOutputDirectoryIsBadInputNamingTheKey() {
        List<String> a = new ArrayList<>(args(tmp.resolve("unused")));
        int at = a.indexOf("--run-dir");
        a.remove(at + 1);
        a.remove(at);
        a.addAll(List.of("--set", "run.output_dir=/proc/bnscope-test"));
        Outcome o = run(a);
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("run.output_dir=/proc/bnscope-test") && o.err().contains("Cannot write"), o.err());
        assertFalse(o.err().contains("records it as failed"), o.err());
    }

    @Test
    void anUnreachableMasterLeavesNoRecordThatClaimsARun() throws Exception {
        // the CLI checks the master's address first (bad input, exit 2); nothing may claim a run started
        Path run = tmp.resolve("unreachable");
        Outcome o = run(args(run, "--master", "spark://127.0.0.1:1"));
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("spark://127.0.0.1:1"), o.err());
        assertFalse(o.err().contains("records it as failed"), o.err());
        assertFalse(Files.exists(run.resolve("manifest.json")), "no manifest for a run that never started");
        assertFalse(Files.exists(run.resolve("_lock")), "no lock left behind");
    }

    @Test
    void analyzeGivesEachRunItsOwnOptions() throws Exception {
        List<String> runs = new ArrayList<>();
        for (int window : new int[]{3, 7}) {
            Path copy = tmp.resolve("window-" + window);
            try (java.util.stream.Stream<Path> files = Files.walk(uninterrupted.resolve("metrics"))) {
                for (Path f : files.toList()) {
                    Path target = copy.resolve("metrics").resolve(uninterrupted.resolve("metrics").relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
            ObjectNode m = (ObjectNode) manifest(uninterrupted);
            ((ObjectNode) m.path("config")).put("analysis.smoothing_window", window);
            new ObjectMapper().writeValue(copy.resolve("manifest.json").toFile(), m);
            runs.add(copy.toString());
        }
        List<String> a = new ArrayList<>(List.of("analyze"));
        a.addAll(runs);
        Outcome o = run(a);
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("train smoothed over 3 steps") && o.out().contains("train smoothed over 7 steps"), o.out());
    }

    @Test
    void aGridTrainsItsCellsConcurrentlyEachAsItWouldAlone() throws Exception {
        Path run = tmp.resolve("grid");
        Outcome o = run(args(run, "--set", "train.learning_rates=[0.1, 0.05]", "--set", "train.parallel_cells=2"));
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("grid: 2 cells (2 to train), 2 at a time (train.parallel_cells = 2)"), o.out());
        assertTrue(o.out().contains("grid: 2/2 cells done, 0 running, 0 left; steps 40/40"), o.out());
        bnscope.core.grid.GridCell fast = new bnscope.core.grid.GridCell(bnscope.core.models.Variant.BATCHNORM, 0.1, 42);
        bnscope.core.grid.GridCell slow = new bnscope.core.grid.GridCell(bnscope.core.models.Variant.BATCHNORM, 0.05, 42);
        assertEquals(List.of(), ExactlyOnceCheck.check(spark(), run, STEPS, 2, 5, 10, List.of(fast, slow)).violations());

        metrics(run).createOrReplaceTempView("grid");
        metrics(uninterrupted).createOrReplaceTempView("alone");
        // the lr 0.1 cell trained beside another is the run of that cell alone, number for number
        Row same = spark().sql("SELECT count(*), sum(CASE WHEN abs(g.loss - a.loss) > 1e-5 * abs(a.loss) THEN 1 ELSE 0 END) "
                + "FROM grid g JOIN alone a ON g.kind = a.kind AND g.worker = a.worker AND g.step = a.step "
                + "WHERE g.learning_rate = 0.1").first();
        assertEquals(2L * STEPS + 2, same.getLong(0));
        assertEquals(0L, same.getLong(1), "the lr 0.1 cell differs from the same cell trained alone");
        // the lr 0.05 cell starts from the same weights on the same minibatch, then moves more slowly
        Row other = spark().sql("SELECT min(CASE WHEN step = 0 THEN loss END), max(CASE WHEN step = 0 THEN loss END), "
                + "avg(CASE WHEN step >= " + (STEPS - 5) + " THEN loss END) FROM grid WHERE kind = 'train' AND learning_rate = 0.05").first();
        Row ref = spark().sql("SELECT min(CASE WHEN step = 0 THEN loss END), avg(CASE WHEN step >= " + (STEPS - 5)
                + " THEN loss END) FROM alone WHERE kind = 'train'").first();
        assertEquals(ref.getDouble(0), other.getDouble(0), 1e-6, "same initialization and first minibatch (seed 42)");
        assertNotEquals(ref.getDouble(1), other.getDouble(2), "a different learning rate trains differently");

        JsonNode cell = manifest(run).path("cells").path(slow.id());
        assertEquals("completed", cell.path("status").asText(), cell.toString());
        assertEquals(0.05, cell.path("learning_rate").asDouble());
        assertEquals(STEPS, cell.path("steps_done").asInt());
        assertEquals(64, cell.path("batchnorm_batch").path("examples").asInt());
        assertTrue(cell.path("batchnorm_batch").path("ghost_batch").asBoolean(), cell.toString());
        assertEquals(2, manifest(run).path("grid").path("parallel_cells").asInt());
        assertTrue(Files.exists(run.resolve("checkpoints/" + slow.id() + "/step-000000020.zip")));
    }

    @Test
    void aRunFromBeforeGridsIsNotResumed() throws Exception {
        Path run = tmp.resolve("before-grids");
        Files.createDirectories(run);
        Files.writeString(run.resolve("manifest.json"), "{\"run_id\": \"old\", \"status\": \"failed\", \"config\": "
                + "{\"run.seed\": 42, \"train.parallel_variants\": 1}, \"variants\": {\"batchnorm\": {\"status\": \"failed\"}}}");
        byte[] before = Files.readAllBytes(run.resolve("manifest.json"));
        Outcome o = run(args(run, "--resume"));
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("before experiment grids") && o.err().contains("train.learning_rates")
                && o.err().contains("Start a new run"), o.err());
        assertArrayEquals(before, Files.readAllBytes(run.resolve("manifest.json")), "the old record is unchanged");
    }
}
