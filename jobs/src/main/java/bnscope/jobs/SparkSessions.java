package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.runtime.NativeBackend;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the SparkSession every bnscope job runs in. A master given by spark-submit (or
 * {@code --master}) wins; otherwise an embedded {@code local[N]} session, so one command works on
 * one machine with no cluster. Executors get the JVM switches for DL4J's fast CPU path; on a
 * standalone cluster ({@code spark://}, e.g. scripts/cluster.sh, docs/cluster.md) they also get a
 * 2 GiB heap and one native thread per task unless the submitter chose otherwise.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** Where the one list of Java 17 opens lives, on the class path (also read by submit.sh and the scripts). */
    public static final String JVM_OPTIONS_RESOURCE = "bnscope/jvm-options.txt";

    /** Driver and executor JVM options bnscope needs (fast DL4J path, Java 17 opens for Spark). */
    public static String executorJavaOptions() {
        List<String> options = new ArrayList<>(List.of(
                "-D" + NativeBackend.HELPERS_PROPERTY + "=false",
                "-D" + NativeBackend.PLATFORM_EXTENSION_PROPERTY + "=" + System.getProperty(NativeBackend.PLATFORM_EXTENSION_PROPERTY, NativeBackend.DEFAULT_EXTENSION)));
        options.addAll(javaOpens());
        return String.join(" ", options);
    }

    /**
     * The Java 17 opens (and the switches that go with them) from {@link #JVM_OPTIONS_RESOURCE}: one
     * option a line, '#' starts a comment, as in a java argument file.
     */
    public static List<String> javaOpens() {
        try (InputStream in = SparkSessions.class.getClassLoader().getResourceAsStream(JVM_OPTIONS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(JVM_OPTIONS_RESOURCE + " is missing from the class path: the jobs jar is incomplete; rebuild it");
            }
            List<String> options = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int comment = line.indexOf('#');
                String option = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!option.isEmpty()) {
                    options.add(option);
                }
            }
            return options;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + JVM_OPTIONS_RESOURCE + " from the class path", e);
        }
    }

    /**
     * @param appName       Spark application name
     * @param masterOption  master from the command line, or null
     * @param localCores    cores for the embedded local master when no master is given
     */
    public static SparkSession create(String appName, String masterOption, int localCores) {
        SparkConf conf = new SparkConf(true).setAppName(appName);
        if (masterOption != null) {
            conf.setMaster(masterOption);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[" + Math.max(1, localCores) + "]");
        }
        String master = conf.get("spark.master");
        boolean local = master.startsWith("local");
        conf.setIfMissing("spark.ui.enabled", local ? "false" : "true");
        conf.setIfMissing("spark.sql.shuffle.partitions", local ? "4" : "64");
        if (local || onLoopback(master)) {
            // Executors on this machine reach the driver on loopback; a remote cluster needs Spark's own choice.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
        }
        if (master.startsWith("spark://")) {
            // Standalone executors default to a 1 GiB heap; ND4J's off-heap limit follows the heap.
            conf.setIfMissing("spark.executor.memory", "2g");
        }
        if (!local) {
            // One training task per executor core: one native thread each, as ./submit.sh does for local[N].
            conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
        }
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        conf.setIfMissing("spark.driver.maxResultSize", "2g");
        conf.setIfMissing("spark.executor.extraJavaOptions", executorJavaOptions());
        // Training tasks are long and not idempotent in time; fail a lost task over to another executor quickly.
        conf.setIfMissing("spark.task.maxFailures", "4");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        if (master.startsWith("spark://")) {
            awaitExecutors(spark, master, conf.getInt(EXECUTOR_WAIT_SECONDS, DEFAULT_EXECUTOR_WAIT_SECONDS));
        }
        return spark;
    }

    /** Spark conf key: how long a {@code spark://} master may take to give the application its first executor. */
    public static final String EXECUTOR_WAIT_SECONDS = "spark.bnscope.executorWaitSeconds";
    public static final int DEFAULT_EXECUTOR_WAIT_SECONDS = 120;

    /**
     * A standalone master that accepts the application but has no alive worker (or none with the
     * cores and memory asked for) leaves Spark waiting for resources forever, with a warning in the
     * log every 15 s; a user sees a job that never starts. Waits for the first executor and
     * otherwise stops the session and fails with one paragraph (exit 2).
     */
    private static void awaitExecutors(SparkSession spark, String master, int waitSeconds) {
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (spark.sparkContext().statusTracker().getExecutorInfos().length <= 1) { // the driver counts as one
            if (System.nanoTime() > deadline) {
                String memory = spark.sparkContext().getConf().get("spark.executor.memory", "1g");
                spark.stop();
                throw new BadInputException("The Spark master " + master + " accepted the application but gave it no executor "
                        + "within " + waitSeconds + " s: it has no alive worker, or none with a free core and " + memory
                        + " of free memory (spark.executor.memory). Check the master's web UI (port 8080 by default) for alive "
                        + "workers and their free resources, start workers (scripts/cluster.sh start, docs/cluster.md), or "
                        + "lower spark.executor.memory; --conf " + EXECUTOR_WAIT_SECONDS + "=N (or -D" + EXECUTOR_WAIT_SECONDS
                        + "=N) waits longer.");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                spark.stop();
                throw new IllegalStateException("interrupted while waiting for executors from " + master, e);
            }
        }
    }

    /** Whether every host of a {@code spark://} master URL is this machine's loopback address. */
    static boolean onLoopback(String master) {
        if (!master.startsWith("spark://")) {
            return false;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
            if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
                return false;
            }
        }
        return true;
    }
}
