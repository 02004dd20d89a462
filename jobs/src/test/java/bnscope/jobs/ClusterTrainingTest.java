package bnscope.jobs;

import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.tables.SnapshotTables;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Training a grid of two cells (batchnorm from seeds 42 and 7, each on two parameter-averaging
 * workers) on a real Spark standalone cluster (scripts/cluster.sh: a master and two 1-core worker
 * JVMs) submitted through SparkSubmit, as on a real cluster: the run completes, and every snapshot
 * table holds each (cell, worker, step, layer) key exactly once, also when an executor JVM is killed
 * with SIGKILL in the middle of a training split (only its task is retried), and when the driver is
 * killed mid-grid and the run is resumed (the finished cell is skipped, the partial one continues
 * from its checkpoint; docs/exactly-once.md). Training is reproducible, so the disturbed runs must
 * also equal the undisturbed one, number for number.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class ClusterTrainingTest {
    private static final int WORKERS = 2;
    private static final int STEPS = 20;
    private static final int AVERAGING = 5;
    /** The grid's cells, in training order: batchnorm at the default learning rate from seeds 42 and 7. */
    private static final GridCell CELL = new GridCell(Variant.BATCHNORM, 0.1, 42);
    private static final GridCell SECOND = new GridCell(Variant.BATCHNORM, 0.1, 7);
    private static final int EVAL_EVERY = 10;
    /** Patient on a loaded 2-core machine: a run takes about a minute when it has the machine alone. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(12);
    /** Executors the kill test may kill before one takes a running task down with it. */
    private static final int MAX_KILLS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Losses are float32 sums; a retry recomputes them exactly, but allow reduction-order noise. */
    private static final double REPRODUCIBLE = 1e-5;

    @TempDir
    static Path runs;
    private static LocalSparkCluster cluster;
    private static SparkSession reader;
    /** The undisturbed run, once the first test has made it. */
    private static Path cleanRun;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalSparkCluster.start(WORKERS, 1, "3g");
    }

    @AfterAll
    static void stopCluster() {
        if (reader != null) {
            reader.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void trainingOnTwoWorkersCommitsEverySnapshotRowOnce() throws Exception {
        Path runDir = runs.resolve("clean");
        try (TrainSubmission driver = TrainSubmission.start(cluster, runDir, runs.resolve("clean-driver.log"), trainArgs())) {
            int exit = driver.waitFor(RUN_TIMEOUT);
            assertEquals(0, exit, () -> "training on the cluster failed:\n" + tail(driver) + cluster.logs());
        }
        assertRunCompleteAndExactlyOnce(runDir);
        cleanRun = runDir;
    }

    @Test
    @Order(2)
    void killingAnExecutorMidSplitStillCommitsEveryRowOnce() throws Exception {
        Path runDir = runs.resolve("killed");
        int uiPort = freePort();
        try (TrainSubmission driver = TrainSubmission.start(cluster, runDir, runs.resolve("killed-driver.log"), trainArgs(), uiPort)) {
            // Wait until a few splits are done (the step-10 test evaluation is on disk), then kill an
            // executor just as it starts a training task, so a running attempt is lost mid-split. The
            // UI is polled, so a kill can land just after the task ended; then no task is lost, and we
            // kill the next executor that starts one (at most MAX_KILLS times).
            Path progressed = runDir.resolve("metrics/variant=batchnorm/" + SnapshotLayout.driverFileName(CELL, EVAL_EVERY));
            List<String> killed = new ArrayList<>();
            String lostTask = null;
            Map<String, Integer> lastActive = new HashMap<>();
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (lostTask == null && killed.size() < MAX_KILLS && driver.isAlive() && System.nanoTime() < deadline) {
                Map<String, Integer> active = activeTasks(uiPort);
                if (Files.exists(progressed)) {
                    for (Map.Entry<String, Integer> e : active.entrySet()) {
                        if (e.getValue() > 0 && lastActive.getOrDefault(e.getKey(), 1) == 0 && !killed.contains(e.getKey())
                                && kill(e.getKey())) {
                            killed.add(e.getKey());
                            lostTask = awaitLostTask(driver, e.getKey());
                            break;
                        }
                    }
                }
                lastActive = active;
                Thread.sleep(200);
            }
            assertFalse(killed.isEmpty(), () -> "never saw an executor start a task after step " + EVAL_EVERY + ":\n" + tail(driver));
            int exit = driver.waitFor(RUN_TIMEOUT);
            String log = driver.output();
            assertEquals(0, exit, () -> "training did not survive losing executors " + killed + ":\n" + tail(driver) + cluster.logs());
            assertTrue(killed.stream().anyMatch(id -> log.contains(lostFailure(id))),
                    () -> "the driver never lost a running task with executors " + killed + "; expected '" + lostFailure(killed.get(0))
                            + "' in\n" + log);
        }
        String appId = (String) ((Map<?, ?>) readManifest(runDir).get("spark")).get("app_id");
        long launches = Files.readAllLines(cluster.stateDir().resolve("logs/master.log")).stream()
                .filter(l -> l.contains("Launching executor " + appId + "/")).count();
        assertTrue(launches >= WORKERS + 1, "the master launched " + launches + " executors for " + appId
                + "; expected a replacement for each killed one");
        assertRunCompleteAndExactlyOnce(runDir);
        if (cleanRun != null) {
            assertEquals(List.of(), RunComparison.differences(reader(), cleanRun, runDir, REPRODUCIBLE),
                    "the run that lost an executor differs from the undisturbed run");
        } else {
            System.out.println("ClusterTrainingTest: no undisturbed run in this JVM to compare the killed run with");
        }
    }

    @Test
    @Order(3)
    void killingTheDriverMidGridThenResumingSkipsTheFinishedCellAndContinuesThePartialOne() throws Exception {
        Path runDir = runs.resolve("driver-killed");
        Path partial = runDir.resolve("checkpoints/" + SECOND.id() + "/step-000000010.zip");
        try (TrainSubmission driver = TrainSubmission.start(cluster, runDir, runs.resolve("driver-killed-1.log"), trainArgs())) {
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (!Files.exists(partial) && driver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(partial), () -> "the second cell never reached its step-10 checkpoint:\n" + tail(driver));
            assertTrue(driver.isAlive(), () -> "the grid ended before the driver could be killed:\n" + tail(driver));
        } // close() kills the driver JVM with SIGKILL
        Map<String, Object> killed = readManifest(runDir);
        assertEquals("running", killed.get("status"), "a killed grid is not marked complete");
        assertEquals("completed", ((Map<?, ?>) ((Map<?, ?>) killed.get("cells")).get(CELL.id())).get("status"));

        List<String> resume = new ArrayList<>(trainArgs());
        resume.addAll(List.of("--resume", "--break-lock"));
        try (TrainSubmission driver = TrainSubmission.start(cluster, runDir, runs.resolve("driver-killed-2.log"), resume)) {
            int exit = driver.waitFor(RUN_TIMEOUT);
            String log = driver.output();
            assertEquals(0, exit, () -> "the resumed grid failed:\n" + tail(driver) + cluster.logs());
            assertTrue(log.contains("[" + CELL.id() + "] already completed; skipping (resume)"), log);
            assertTrue(log.contains("[" + SECOND.id() + "] resuming from checkpoint at step 10"), log);
        }
        assertRunCompleteAndExactlyOnce(runDir);
        if (cleanRun != null) {
            assertEquals(List.of(), RunComparison.differences(reader(), cleanRun, runDir, REPRODUCIBLE),
                    "the resumed grid differs from the undisturbed run");
        }
    }

    private static List<String> trainArgs() {
        return List.of("--set", "train.steps=" + STEPS, "--set", "train.variants=[batchnorm]",
                "--set", "train.seeds=[" + CELL.seed() + "," + SECOND.seed() + "]",
                "--set", "spark.workers=" + WORKERS, "--set", "spark.averaging_frequency=" + AVERAGING,
                "--set", "train.eval_every=" + EVAL_EVERY, "--set", "train.batch_size=64",
                "--set", "train.checkpoint_every=" + EVAL_EVERY, "--set", "run.name=cluster-test");
    }

    private static void assertRunCompleteAndExactlyOnce(Path runDir) throws IOException {
        Map<String, Object> manifest = readManifest(runDir);
        assertEquals("completed", manifest.get("status"), "manifest status");
        assertEquals(Boolean.TRUE, ((Map<?, ?>) manifest.get("tables")).get("complete"), "manifest tables.complete");
        assertTrue(String.valueOf(((Map<?, ?>) manifest.get("spark")).get("master")).startsWith("spark://"), "ran on the cluster");

        ExactlyOnceCheck.Result result = ExactlyOnceCheck.check(reader(), runDir, STEPS, WORKERS, AVERAGING, EVAL_EVERY,
                List.of(CELL, SECOND));
        System.out.println("ClusterTrainingTest: rows per table " + result.rowCounts()
                + (result.trainMetricsPresent() ? "" : " (no kind='train' metrics rows: the executor probe hook writes none yet)"));
        assertEquals(List.of(), result.violations());
        assertTrue(result.rowCounts().getOrDefault(SnapshotTables.METRICS.name(), 0L) > 0, "metrics rows");
    }

    /** Kills the executor JVM with Spark executor id {@code id} (SIGKILL); false if it is not (or no longer) running. */
    /** The driver's log line for a task attempt lost with executor {@code id}. */
    private static String lostFailure(String id) {
        return "ExecutorLostFailure (executor " + id + " exited";
    }

    /** Waits up to 20 s for the driver to report a task lost with executor {@code id}; its id if so, else null. */
    private static String awaitLostTask(TrainSubmission driver, String id) throws IOException, InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until && driver.isAlive()) {
            if (driver.output().contains(lostFailure(id))) {
                return id;
            }
            Thread.sleep(200);
        }
        return driver.output().contains(lostFailure(id)) ? id : null;
    }

    private static boolean kill(String id) throws IOException {
        Optional<ProcessHandle> executor = cluster.executors().stream().filter(p -> {
            List<String> args = List.of(p.info().arguments().orElse(new String[0]));
            int at = args.indexOf("--executor-id");
            return at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(id);
        }).findFirst();
        executor.ifPresent(ProcessHandle::destroyForcibly);
        return executor.isPresent();
    }

    /** Running tasks per executor id, from the driver's status REST API (empty while it is not up). */
    private static Map<String, Integer> activeTasks(int uiPort) {
        Map<String, Integer> active = new HashMap<>();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
            JsonNode apps = JSON.readTree(get(http, base));
            if (!apps.isArray() || apps.size() == 0) {
                return active;
            }
            JsonNode executors = JSON.readTree(get(http, base + "/" + apps.get(0).get("id").asText() + "/executors"));
            for (JsonNode e : executors) {
                if (!"driver".equals(e.get("id").asText()) && e.get("isActive").asBoolean()) {
                    active.put(e.get("id").asText(), e.get("activeTasks").asInt());
                }
            }
        } catch (IOException | InterruptedException | RuntimeException notUpYet) {
            // the driver's UI starts with the SparkContext
        }
        return active;
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readManifest(Path runDir) throws IOException {
        return JSON.readValue(runDir.resolve(RunManifest.FILE).toFile(), Map.class);
    }

    private static synchronized SparkSession reader() {
        if (reader == null) {
            reader = SparkSession.builder().master("local[1]").appName("cluster-test-reader")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        }
        return reader;
    }

    private static String tail(TrainSubmission driver) {
        try {
            String out = driver.output();
            return out.substring(Math.max(0, out.length() - 8000)) + "\n";
        } catch (IOException e) {
            return "(no driver output: " + e + ")\n";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
