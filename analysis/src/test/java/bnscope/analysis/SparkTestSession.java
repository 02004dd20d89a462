package bnscope.analysis;

import org.apache.spark.sql.SparkSession;

/** The small local Spark session every analysis test class shares (one per class). */
final class SparkTestSession {
    private SparkTestSession() {
    }

    static SparkSession start() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("bnscope-analysis-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }
}
