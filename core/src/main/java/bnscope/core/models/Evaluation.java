package bnscope.core.models;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Mean loss and accuracy of a network over a data set in evaluation mode (BatchNorm running
 * statistics, no noise), in chunks so a large set never becomes one huge activation: what the
 * test-set rows and the loss-surface points report.
 */
public final class Evaluation {
    /** Examples per forward pass. */
    public static final int CHUNK = 500;

    private Evaluation() {
    }

    /** Mean loss per example, the fraction classified right (NaN for regression), and the example count. */
    public record Result(double loss, double accuracy, int examples) {
    }

    public static Result of(MultiLayerNetwork net, DataSet data, boolean classification) {
        int n = data.numExamples();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            DataSet chunk = n <= CHUNK ? data : (DataSet) data.getRange(start, end);
            lossSum += net.score(chunk, false) * (end - start);
            if (classification) {
                INDArray predicted = net.output(chunk.getFeatures(), false).argMax(1);
                INDArray actual = chunk.getLabels().argMax(1);
                correct += predicted.eq(actual).castTo(DataType.INT).sumNumber().longValue();
            }
        }
        return new Result(lossSum / n, classification ? (double) correct / n : Double.NaN, n);
    }
}
