package bnscope.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's last training forward output, kept for its backprop ({@link FusedConvolutionLayer},
 * {@link FusedReluLayer}): the ReLU's derivative and the conv's backward pass need only that output,
 * not a second forward pass. It is handed out only while the layer's input is still the array of
 * the pass that produced it, and dropped after one backprop.
 */
final class TrainingOutput {
    private INDArray input;
    private INDArray output;

    void keep(INDArray input, INDArray output) {
        this.input = input;
        this.output = output;
    }

    /** The kept output if {@code currentInput} is the input of the pass that produced it, else null. */
    INDArray of(INDArray currentInput) {
        return output != null && currentInput == input ? output : null;
    }

    void clear() {
        input = null;
        output = null;
    }
}
