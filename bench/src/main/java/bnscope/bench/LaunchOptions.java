package bnscope.bench;

import bnscope.jobs.SparkSessions;

/**
 * Prints the JVM options bnscope's JVMs need (DL4J fast path, Java 17 opens for Spark), exactly as
 * {@link SparkSessions#executorJavaOptions()} gives them to executors, so scripts/benchmark.sh
 * starts its benchmark JVMs the way submit.sh starts the job. Needs none of them itself.
 */
public final class LaunchOptions {
    private LaunchOptions() {
    }

    public static void main(String[] args) {
        System.out.println(SparkSessions.executorJavaOptions());
    }
}
