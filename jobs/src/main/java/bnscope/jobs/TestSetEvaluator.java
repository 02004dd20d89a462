package bnscope.jobs;

import bnscope.core.snapshots.DriverRows;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * Evaluates the averaged network on the test set (evaluation mode: BatchNorm running statistics,
 * no noise) on the driver, and commits the result as a {@code kind = test} row of the metrics table.
 */
public final class TestSetEvaluator {
    private static final int CHUNK = 500;

    private final DataSet testSet;
    private final boolean classification;
    private final SnapshotLayout layout;
    private final Configuration hadoop;

    /** Test loss and accuracy after some step. */
    public record Result(long step, double loss, double accuracy, int examples) {
    }

    public TestSetEvaluator(DataSet testSet, boolean classification, SnapshotLayout layout, Configuration hadoop) {
        this.testSet = testSet;
        this.classification = classification;
        this.layout = layout;
        this.hadoop = hadoop;
    }

    public Result evaluate(MultiLayerNetwork net, StepKey key) {
        int n = testSet.numExamples();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            DataSet chunk = (DataSet) testSet.getRange(start, end);
            lossSum += net.score(chunk, false) * (end - start);
            if (classification) {
                INDArray predicted = net.output(chunk.getFeatures(), false).argMax(1);
                INDArray actual = chunk.getLabels().argMax(1);
                correct += predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
            }
        }
        Result result = new Result(key.step(), lossSum / n, classification ? (double) correct / n : Double.NaN, n);
        write(key, result);
        return result;
    }

    private void write(StepKey key, Result r) {
        DriverRows.commit(layout, SnapshotTables.METRICS, key.cell(), key.step(), List.of(key.startRow(SnapshotTables.METRICS)
                .set("kind", "test").set("loss", r.loss()).set("accuracy", r.accuracy())
                .set("examples", r.examples()).set("time_ms", System.currentTimeMillis()).build()), hadoop);
    }
}
