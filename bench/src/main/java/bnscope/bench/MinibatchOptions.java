package bnscope.bench;

import bnscope.core.config.RunSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of a single-JVM benchmark that trains on the run's real CIFAR-10 minibatches
 * ({@link BenchmarkMinibatches}): the config file, the data directory and the batch size. A picocli
 * mixin, so the benchmarks that share them declare them once.
 */
final class MinibatchOptions {
    @Option(names = "--conf", paramLabel = "FILE", description = "run config file (default: the embedded default config)")
    Path conf;

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "CIFAR-10 binary data directory")
    Path data;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch;

    /** The run settings for {@code steps} steps with these options and {@code extra} overrides. */
    RunSettings settings(int steps, List<String> extra) {
        return BenchmarkMinibatches.settings(conf == null ? null : conf.toString(), data.toString(), batch, steps, extra);
    }
}
