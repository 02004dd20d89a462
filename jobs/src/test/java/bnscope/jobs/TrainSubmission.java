package bnscope.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./submit.sh train} as a cluster user runs it: {@code org.apache.spark.deploy.SparkSubmit}
 * in its own JVM (client mode: the driver lives in that JVM), against a {@link LocalSparkCluster},
 * from the repository root so conf/ and data/ resolve as they do for a user.
 */
final class TrainSubmission implements AutoCloseable {
    private final Process process;
    private final Path log;

    private TrainSubmission(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code Main train CONF --run-dir RUN ARGS...}; output goes to {@code log}; no driver web UI. */
    static TrainSubmission start(LocalSparkCluster cluster, Path runDir, Path log, List<String> trainArgs) throws IOException {
        return start(cluster, runDir, log, trainArgs, 0);
    }

    /** As above, with the driver's web UI and status REST API on {@code uiPort} (0: none). */
    static TrainSubmission start(LocalSparkCluster cluster, Path runDir, Path log, List<String> trainArgs, int uiPort)
            throws IOException {
        ClasspathJars cp = cluster.classpath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx2g");
        // The driver needs Spark's opens and DL4J's fast-path switches like any bnscope JVM.
        command.addAll(List.of(SparkSessions.executorJavaOptions().split(" ")));
        command.addAll(List.of("-cp", cp.joined(), "org.apache.spark.deploy.SparkSubmit",
                "--master", cluster.masterUrl(),
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", uiPort > 0 ? "spark.ui.port=" + uiPort : "spark.ui.enabled=false",
                "--class", Main.class.getName(),
                cp.jarWith(Main.class.getName()).toString(),
                "train", "conf/default.conf", "--run-dir", runDir.toString()));
        command.addAll(trainArgs);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cluster.repoRootDir().toFile()).redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.environment().put("BNSCOPE_DEBUG", "1");
        return new TrainSubmission(pb.start(), log);
    }

    /** Waits for the driver to exit; returns its exit status, or kills it and returns -1 after {@code timeout}. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            close();
            return -1;
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Kills the driver JVM (and anything it started) if it still runs. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
