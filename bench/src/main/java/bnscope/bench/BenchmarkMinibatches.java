package bnscope.bench;

import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real CIFAR-10 minibatches a single-JVM benchmark trains on: the first steps of the run's own
 * minibatch plan (seeded order, training-set normalization), read through the same data classes as
 * the Spark job, with one worker so each minibatch is the whole batch. Loaded before any timing.
 */
public final class BenchmarkMinibatches {
    private BenchmarkMinibatches() {
    }

    /** The run settings of a benchmark: conf file (or defaults) plus overrides, one worker. */
    public static RunSettings settings(String confFile, String dataDir, int batch, int steps, List<String> extra) {
        List<String> overrides = new ArrayList<>(List.of("data.dir=" + dataDir, "train.batch_size=" + batch,
                "train.steps=" + steps, "spark.workers=1", "spark.averaging_frequency=1"));
        overrides.addAll(extra);
        return RunSettings.from(RunConfig.load(confFile == null ? null : Path.of(confFile).toFile(), overrides));
    }

    /** Minibatches of steps 0..steps-1. */
    public static List<DataSet> load(RunSettings settings, int steps, PrintStream log) {
        try {
            Path scratch = Files.createTempDirectory("bnscope-bench");
            TrainingData data = TrainingDataFactory.open(settings, scratch.resolve("run").toString(), new Configuration(), log);
            List<DataSet> batches = new ArrayList<>(steps);
            for (int s = 0; s < steps; s++) {
                batches.add(data.minibatch(s, 0));
            }
            return batches;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
