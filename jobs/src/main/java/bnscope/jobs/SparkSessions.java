package bnscope.jobs;

import bnscope.core.runtime.NativeBackend;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every bnscope job runs in. A master given by spark-submit (or
 * {@code --master}) wins; otherwise an embedded {@code local[N]} session, so one command works on
 * one machine with no cluster. Executors get the JVM switches for DL4J's fast CPU path.
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
        boolean local = conf.get("spark.master").startsWith("local");
        conf.setIfMissing("spark.ui.enabled", local ? "false" : "true");
        conf.setIfMissing("spark.sql.shuffle.partitions", local ? "4" : "64");
        conf.setIfMissing("spark.driver.host", local ? "127.0.0.1" : conf.get("spark.driver.host", "127.0.0.1"));
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        conf.setIfMissing("spark.driver.maxResultSize", "2g");
        conf.setIfMissing("spark.executor.extraJavaOptions", executorJavaOptions());
        // Training tasks are long and not idempotent in time; fail a lost task over to another executor quickly.
        conf.setIfMissing("spark.task.maxFailures", "4");
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
