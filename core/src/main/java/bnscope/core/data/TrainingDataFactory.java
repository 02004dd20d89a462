package bnscope.core.data;

import bnscope.core.BadInputException;
import bnscope.core.config.RunSettings;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.PrintStream;

/**
 * Opens and validates the data a run's settings name, on the driver, before any Spark work: CIFAR-10
 * files for VGG (layout, lengths and every label byte checked; normalization statistics computed)
 * or the seeded Gaussian regression data for the deep linear network.
 */
public final class TrainingDataFactory {
    private TrainingDataFactory() {
    }

    public static TrainingData open(RunSettings settings, String runDir, Configuration hadoop, PrintStream out) {
        int workers = settings.spark().workers();
        long seed = settings.seed();
        if (settings.model().isDln()) {
            int samples = settings.model().dln().samples();
            if (samples % workers != 0) {
                throw new BadInputException("dln.samples (" + samples + ") must be divisible by spark.workers (" + workers
                        + "): the deep linear network trains full-batch, each worker on an equal slice.");
            }
            return new DeepLinearTrainingData(seed, samples, settings.model().dln().width(), workers);
        }
        String location = settings.data().dir();
        String cache = settings.data().cacheDir();
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
        int batch = settings.train().batchSize();
        if (batch > source.trainingRecords()) {
            throw new BadInputException("train.batch_size (" + batch + ") is larger than the " + source.trainingRecords()
                    + " training records in " + source.directory() + ".");
        }
        MinibatchPlan plan = MinibatchPlan.forFiles(seed, source.trainingFiles(), batch, settings.train().steps());
        out.printf("data: %s, %d training records in %d file(s), test file %s; labels checked and statistics computed in %.1fs%n",
                source.directory(), source.trainingRecords(), source.trainingFiles().size(), source.testFile().name(),
                (System.nanoTime() - t0) / 1e9);
        return new CifarTrainingData(location, source.trainingFiles(), source.testFile(), settings.data().testExamples(),
                stats, plan, workers);
    }
}
