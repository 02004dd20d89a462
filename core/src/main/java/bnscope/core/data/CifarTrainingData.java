package bnscope.core.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.dataset.DataSet;

/**
 * CIFAR-10 as a run trains on it: the {@link MinibatchPlan} fixes each step's records from the run
 * seed, and worker k of W takes the k-th of W equal slices of that minibatch. With averaging
 * frequency 1, parameter averaging over the W slices is exactly SGD on the whole minibatch.
 * Executors read their records straight from the batch files (any Hadoop path).
 */
public final class CifarTrainingData implements TrainingData {
    private static final long serialVersionUID = 1L;

    private final List<CifarBatchFile> trainingFiles;
    private final CifarBatchFile testFile;
    private final int testExamples;
    private final ChannelStatistics statistics;
    private final MinibatchPlan plan;
    private final int workers;
    private final String location;

    public CifarTrainingData(String location, List<CifarBatchFile> trainingFiles, CifarBatchFile testFile, int testExamples,
                             ChannelStatistics statistics, MinibatchPlan plan, int workers) {
        if (plan.batchSize() % workers != 0) {
            throw new IllegalArgumentException("batch size " + plan.batchSize() + " not divisible by " + workers + " workers");
        }
        this.location = location;
        this.trainingFiles = List.copyOf(trainingFiles);
        this.testFile = testFile;
        this.testExamples = testExamples;
        this.statistics = statistics;
        this.plan = plan;
        this.workers = workers;
    }

    @Override
    public int workerBatchSize() {
        return plan.batchSize() / workers;
    }

    @Override
    public DataSet minibatch(long step, int worker) {
        List<RecordRef> all = plan.minibatch((int) step);
        int per = workerBatchSize();
        List<RecordRef> mine = new ArrayList<>(all.subList(worker * per, (worker + 1) * per));
        try (MinibatchReader reader = new MinibatchReader(trainingFiles, new CifarDataSetConverter(statistics), new CifarRecordReader())) {
            return reader.read(mine);
        }
    }

    @Override
    public CifarTrainingData withSeed(long seed) {
        MinibatchPlan reseeded = new MinibatchPlan(seed, plan.recordsPerFile(), plan.batchSize(), plan.steps());
        return new CifarTrainingData(location, trainingFiles, testFile, testExamples, statistics, reseeded, workers);
    }

    @Override
    public DataSet testSet() {
        int n = testExamples > 0 ? Math.min(testExamples, testFile.records()) : testFile.records();
        CifarRecords records = new RecordRange(testFile, 0, n).read(new CifarRecordReader());
        return new CifarDataSetConverter(statistics).toDataSet(records);
    }

    @Override
    public boolean classification() {
        return true;
    }

    public ChannelStatistics statistics() {
        return statistics;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("kind", "cifar10");
        d.put("location", location);
        List<Map<String, Object>> files = new ArrayList<>();
        for (CifarBatchFile f : trainingFiles) {
            files.add(Map.of("path", f.uri(), "records", f.records()));
        }
        d.put("training_files", files);
        d.put("training_records", trainingFiles.stream().mapToInt(CifarBatchFile::records).sum());
        d.put("test_file", testFile.uri());
        d.put("test_examples", testExamples > 0 ? Math.min(testExamples, testFile.records()) : testFile.records());
        d.put("normalization", "per-channel (x/255 - mean_c) / std_c with training-set statistics");
        d.put("channel_statistics", statistics.toMap());
        d.put("order", "MinibatchPlan: per-epoch permutation from hash(seed, epoch) with the grid cell's seed (run.seed for a grid of one) (SplitMix64 Fisher-Yates); worker k takes slice k of each step's minibatch");
        d.put("epochs", plan.epochs());
        d.put("workers", workers);
        d.put("worker_batch_size", workerBatchSize());
        return d;
    }
}
