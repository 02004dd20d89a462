package bnscope.core.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.BaseInputPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Input preprocessor of the first conv layer of a channels-last network: turns the NCHW images
 * the data classes deliver ([n, c, h, w], as CIFAR-10 stores them) into NHWC once, so that every
 * conv, pool and BatchNorm layer after it works in the layout oneDNN's convolutions use, with no
 * reorder between layers. Backprop turns the gradient back into NCHW.
 */
public class ToChannelsLast extends BaseInputPreProcessor {

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        requireRank4(input, "input");
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        requireRank4(output, "gradient");
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(0, 3, 1, 2), 'c');
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c) || c.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalStateException("ToChannelsLast expects NCHW convolutional input, got " + inputType);
        }
        return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels(), CNN2DFormat.NHWC);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    private static void requireRank4(INDArray a, String what) {
        if (a.rank() != 4) {
            throw new IllegalStateException("ToChannelsLast needs a rank-4 " + what + ", got shape "
                    + java.util.Arrays.toString(a.shape()));
        }
    }

    @Override
    public ToChannelsLast clone() {
        return (ToChannelsLast) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToChannelsLast;
    }

    @Override
    public int hashCode() {
        return ToChannelsLast.class.hashCode();
    }
}
