package bnscope.jobs;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14 (an unreachable master, "no workers"): a real standalone master with no worker accepts
 * the application and would leave Spark waiting for resources forever; the job must stop with one
 * paragraph and exit 2 instead.
 */
@Tag("slow")
class MasterWithoutWorkersTest {
    @TempDir
    Path tmp;

    @Test
    void aMasterWithNoWorkerIsNamedInsteadOfWaitingForever() throws Exception {
        try (LocalSparkCluster cluster = LocalSparkCluster.start(0, 1, "1g")) {
            System.setProperty(SparkSessions.EXECUTOR_WAIT_SECONDS, "5");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            long start = System.nanoTime();
            int status;
            try {
                Path conf = Path.of(System.getProperty("bnscope.repo.root"), "conf", "default.conf");
                Path data = Path.of(System.getProperty("bnscope.repo.root"), "data", "cifar10-mini");
                status = Main.run(new String[]{"train", conf.toString(), "--run-dir", tmp.resolve("r").toString(),
                                "--master", cluster.masterUrl(), "--set", "data.dir=" + data, "--set", "train.steps=10"},
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
            } finally {
                System.clearProperty(SparkSessions.EXECUTOR_WAIT_SECONDS);
            }
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, message);
            assertTrue(message.contains(cluster.masterUrl()) && message.contains("no executor within 5 s")
                    && message.contains("no alive worker"), message);
            assertEquals(1, message.strip().lines().count(), message);
            assertTrue((System.nanoTime() - start) / 1e9 < 90, "gave up after the wait, not Spark's forever");
            // the run directory's record tells the truth: failed, with the reason, and the lock released
            String manifest = Files.readString(tmp.resolve("r").resolve("manifest.json"));
            assertTrue(manifest.contains("\"status\" : \"failed\"") && manifest.contains("no executor"), manifest);
            assertTrue(message.contains("records it as failed"), message);
            assertFalse(Files.exists(tmp.resolve("r").resolve("_lock")), "lock released");
        }
    }
}
