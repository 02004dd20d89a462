package bnscope.core.data;

import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.Map;

/**
 * The data a run trains on, as the Spark training job needs it: every worker's minibatch for every
 * step, loadable on an executor from the step and worker alone (so data is read where training
 * happens and the order is fixed by the run seed), plus the evaluation set for the driver.
 */
public interface TrainingData extends Serializable {

    /** Examples in one worker's minibatch (the run's batch size divided by the workers). */
    int workerBatchSize();

    /** Worker {@code worker}'s minibatch of global step {@code step}; called on the executors. */
    DataSet minibatch(long step, int worker);

    /** The evaluation set (CIFAR-10 test records; for the DLN its training set). */
    DataSet testSet();

    /** Whether labels are classes (accuracy is meaningful) rather than regression targets. */
    boolean classification();

    /**
     * The same data with the order (and, for generated data, the examples) drawn from {@code seed}:
     * what one grid cell trains on. Files and normalization statistics are shared, not re-read.
     */
    TrainingData withSeed(long seed);

    /** What the manifest records about the data (files, record counts, normalization statistics, seeds). */
    Map<String, Object> describe();
}
