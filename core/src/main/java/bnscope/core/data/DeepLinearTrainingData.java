package bnscope.core.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deep linear network's data (the paper's Section 3 DLN experiments): {@link LinearRegressionData}
 * drawn from the run seed, trained full-batch. Every step uses the whole set; worker k of W takes the
 * k-th of W equal slices, regenerated on the executor from the seed alone.
 */
public final class DeepLinearTrainingData implements TrainingData {
    private static final long serialVersionUID = 1L;

    private final long seed;
    private final int samples;
    private final int width;
    private final int workers;
    private transient LinearRegressionData regression;
    private transient DataSet full;

    public DeepLinearTrainingData(long seed, int samples, int width, int workers) {
        this.seed = seed;
        this.samples = samples;
        this.width = width;
        this.workers = workers;
    }

    /** The task itself, drawn from the seed once per JVM. */
    private synchronized LinearRegressionData regression() {
        if (regression == null) {
            regression = LinearRegressionData.generate(seed, samples, width);
        }
        return regression;
    }

    private synchronized DataSet full() {
        if (full == null) {
            full = regression().toDataSet(DataType.FLOAT);
        }
        return full;
    }

    @Override
    public int workerBatchSize() {
        return samples / workers;
    }

    @Override
    public DataSet minibatch(long step, int worker) {
        int per = workerBatchSize();
        return (DataSet) full().getRange(worker * per, (worker + 1) * per);
    }

    /**
     * The same data: every cell of a grid shares the data (issue 11), and full-batch training has no
     * order to draw. The regression task stays the one drawn from run.seed; a cell's seed drives its
     * initialization.
     */
    @Override
    public DeepLinearTrainingData withSeed(long seed) {
        return this;
    }

    @Override
    public DataSet testSet() {
        return full();
    }

    @Override
    public boolean classification() {
        return false;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("kind", "gaussian-linear-regression");
        d.put("samples", samples);
        d.put("width", width);
        d.put("seed", seed);
        d.put("generator", LinearRegressionData.RANDOM_SOURCE);
        d.put("target", "y = A x, A with i.i.d. N(0,1) entries");
        d.put("workers", workers);
        d.put("worker_batch_size", workerBatchSize());
        d.put("evaluation_set", "the training set itself (full-batch regression)");
        // element k: the smallest mean loss of any rank-k linear map; DLN loss curves plateau at these levels
        d.put("reduced_rank_losses", java.util.Arrays.stream(regression().reducedRankLosses())
                .boxed().toList());
        return d;
    }
}
