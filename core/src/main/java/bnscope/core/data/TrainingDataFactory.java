package bnscope.core.data;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.PrintStream;

/**
 * Opens and validates the data a run config names, on the driver, before any Spark work: CIFAR-10
 * files for VGG (layout, lengths and every label byte checked; normalization statistics computed)
 * or the seeded Gaussian regression data for the deep linear network.
 */
public final class TrainingDataFactory {
    private TrainingDataFactory() {
    }

    public static TrainingData open(RunConfig config, String runDir, Configuration hadoop, PrintStream out) {
        int workers = config.getInt("spark.workers");
        long seed = config.getLong("run.seed");
        if ("dln".equals(config.getString("model.kind"))) {
            int samples = config.getInt("dln.samples");
            if (samples % workers != 0) {
                throw new BadInputException("dln.samples (" + samples + ") must be divisible by spark.workers (" + workers
                        + "): the deep linear network trains full-batch, each worker on an equal slice.");
            }
            return new DeepLinearTrainingData(seed, samples, config.getInt("dln.width"), workers);
        }
        String location = config.getString("data.dir");
        String cache = config.getString("data.cache_dir");
        // Beside the run, not inside it: an overwritten run keeps the unpacked archive.
        String cacheDir = cache.isBlank() ? new Path(new Path(runDir).getParent(), ".bnscope-data-cache").toString() : cache;
        long t0 = System.nanoTime();
        CifarSource source = CifarSource.open(location, cacheDir, hadoop);
        if (!source.hasTestFile()) {
            throw new BadInputException("CIFAR-10 directory " + source.directory() + " has no test_batch.bin; the run evaluates "
                    + "test accuracy, so the test file is required. Copy it from the CIFAR-10 binary download.");
        }
        CifarRecordReader reader = new CifarRecordReader(hadoop);
        source.validateLabels(reader); // every label byte of every file, before any Spark work
        ChannelStatistics stats = ChannelStatistics.compute(source.trainingFiles(), reader);
        int batch = config.getInt("train.batch_size");
        if (batch > source.trainingRecords()) {
            throw new BadInputException("train.batch_size (" + batch + ") is larger than the " + source.trainingRecords()
                    + " training records in " + source.directory() + ".");
        }
        MinibatchPlan plan = MinibatchPlan.forFiles(seed, source.trainingFiles(), batch, config.getInt("train.steps"));
        out.printf("data: %s, %d training records in %d file(s), test file %s; labels checked and statistics computed in %.1fs%n",
                source.directory(), source.trainingRecords(), source.trainingFiles().size(), source.testFile().name(),
                (System.nanoTime() - t0) / 1e9);
        return new CifarTrainingData(location, source.trainingFiles(), source.testFile(), config.getInt("data.test_examples"),
                stats, plan, workers);
    }
}
