package bnscope.jobs;

import bnscope.core.config.RunSettings;
import bnscope.core.config.SparkSettings;
import bnscope.core.config.TrainSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.grid.GridCell;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Trains one grid cell's network with DL4J's parameter averaging, one averaging split at a time, so the driver
 * controls step numbering, evaluation, checkpoints and the snapshot commit between splits.
 *
 * <p>Each split is an RDD of (step, worker) minibatch descriptors in {@code workers} partitions;
 * the minibatches are read from the data files inside the training tasks themselves (never shipped
 * from the driver). Worker k's partition holds its minibatches of steps s..s+F-1 in order.
 */
public final class CellTrainer {
    private final JavaSparkContext sc;
    private final SnapshotCommitter committer;
    private final TestSetEvaluator evaluator;
    private final PrintStream out;

    public CellTrainer(JavaSparkContext sc, SnapshotCommitter committer, TestSetEvaluator evaluator, PrintStream out) {
        this.sc = sc;
        this.committer = committer;
        this.evaluator = evaluator;
        this.out = out;
    }

    /**
     * What the trainer needs to know: the cell's settings ({@link RunSettings#forCell}), the cell, its
     * data (ordered by the cell's seed) and where rows go.
     */
    public record Plan(RunSettings run, GridCell cell, TrainingData data, SnapshotLayout layout) {
    }

    /** Result of training one cell. */
    public record Outcome(long steps, double lastTrainLoss, TestSetEvaluator.Result lastTest, double seconds) {
    }

    /**
     * Trains {@code net} (already at step {@code startStep}, its iteration count equal to it) up to
     * {@code plan.run().train().steps()}; {@code afterSplit} hears the steps done after each committed split.
     */
    public Outcome train(MultiLayerNetwork net, long startStep, Plan plan, Checkpoints checkpoints, LongConsumer afterSplit) {
        // this thread's Spark jobs carry the cell's id (Spark UI, benchmarks); cells run in threads of their own
        sc.setJobGroup(plan.cell().id(), "bnscope grid cell " + plan.cell().id(), false);
        int workerBatch = plan.data().workerBatchSize();
        SparkSettings spark = plan.run().spark();
        TrainSettings train = plan.run().train();
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(spark.workers(), workerBatch)
                .batchSizePerWorker(workerBatch)
                .averagingFrequency(spark.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .saveUpdater(true)
                .collectTrainingStats(false)
                .rngSeed(plan.run().seed())
                // DL4J persists each split's RDD before its count() job and trains from that cache. Its default,
                // MEMORY_ONLY_SER, serializes every minibatch in the count job and deserializes it again in the
                // training task: measured here as ~0.4 s of a ~6 s split (scripts/benchmark.sh). Keeping the
                // DataSets as objects skips both; the split is unpersisted after training (see train()).
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .build();
        master.setCollectTrainingStats(false);
        master.addHook(new ProbeTrainingHook(plan.run().name(), plan.cell(), plan.layout().runDir().toString(),
                spark.averagingFrequency(), plan.run().probes()));
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, master);

        ProgressReporter progress = new ProgressReporter(out, plan.cell().id(), startStep, train.steps(),
                workerBatch * spark.workers());
        TestSetEvaluator.Result lastTest = null;
        double lastLoss = Double.NaN;
        int stepsPerSplit = spark.averagingFrequency();
        for (long step = startStep; step < train.steps(); step += stepsPerSplit) {
            sparkNet.getNetwork().setIterationCount((int) step);
            JavaRDD<DataSet> split = splitRdd(plan.data(), step, stepsPerSplit, spark.workers());
            sparkNet.fit(split);
            // DL4J persisted the split and never releases it: without this every split's minibatches stay cached.
            split.unpersist(false);
            committer.commit(sc.sc());
            long done = step + stepsPerSplit;
            lastLoss = sparkNet.getScore();
            MultiLayerNetwork current = sparkNet.getNetwork();
            boolean last = done >= train.steps();
            if (last || (train.evalEvery() > 0 && done % train.evalEvery() == 0)) {
                lastTest = evaluator.evaluate(current, StepKey.driver(plan.run().name(), plan.cell(), done));
            }
            if (last || (train.checkpointEvery() > 0 && done % train.checkpointEvery() == 0)) {
                current.setIterationCount((int) done);
                checkpoints.save(current, done);
            }
            progress.update(done, lastLoss, lastTest == null ? Double.NaN : lastTest.accuracy(), last);
            afterSplit.accept(done);
        }
        sc.clearJobGroup();
        return new Outcome(train.steps(), lastLoss, lastTest, progress.elapsedSeconds());
    }

    /** The split's minibatches, loaded inside the training tasks: partition k = worker k. */
    private JavaRDD<DataSet> splitRdd(TrainingData source, long firstStep, int steps, int workers) {
        List<long[]> descriptors = new ArrayList<>(steps * workers);
        for (int worker = 0; worker < workers; worker++) {
            for (int i = 0; i < steps; i++) {
                descriptors.add(new long[]{firstStep + i, worker});
            }
        }
        return sc.parallelize(descriptors, workers).map(d -> source.minibatch(d[0], (int) d[1]));
    }
}
