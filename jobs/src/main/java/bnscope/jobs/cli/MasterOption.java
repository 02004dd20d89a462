package bnscope.jobs.cli;

import picocli.CommandLine.Option;

/** {@code --master URL}, shared by the commands that start Spark. */
final class MasterOption {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master, e.g. spark://HOST:7077 (default: an "
            + "embedded local Spark in this JVM, or spark.master from spark-submit). A spark:// master is checked for a "
            + "listening port before Spark starts.")
    String url;

    /** The URL, after checking that a spark:// master accepts connections (null: local or spark-submit's). */
    String checked() {
        SparkMaster.requireReachable(url);
        return url;
    }
}
