package bnscope.analysis;

import org.apache.spark.sql.SparkSession;

/**
 * The small local Spark session the analysis tests share: created on first use and kept for the
 * whole test JVM (Spark's shutdown hook stops it), so each test class does not pay Spark's start-up.
 */
public final class SparkTestSession {
    private static SparkSession shared;

    private SparkTestSession() {
    }

    public static synchronized SparkSession shared() {
        if (shared == null) {
            shared = SparkSession.builder()
                    .master("local[2]")
                    .appName("bnscope-analysis-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
        }
        return shared;
    }
}
