package bnscope.jobs;

import bnscope.core.runtime.NativeBackend;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

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

    /** Driver and executor JVM options bnscope needs (fast DL4J path, Java 17 opens for Spark). */
    public static String executorJavaOptions() {
        return String.join(" ",
                "-D" + NativeBackend.HELPERS_PROPERTY + "=false",
                "-D" + NativeBackend.PLATFORM_EXTENSION_PROPERTY + "=" + System.getProperty(NativeBackend.PLATFORM_EXTENSION_PROPERTY, NativeBackend.DEFAULT_EXTENSION),
                "-XX:+IgnoreUnrecognizedVMOptions",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");
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
        return SparkSession.builder().config(conf).getOrCreate();
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
