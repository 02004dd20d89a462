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
 * Input preprocessor of the first dense layer after a channels-last conv stack: flattens NHWC
 * activations [n, h, w, c] into rows in (c, h, w) order, the order DL4J's NCHW flattening uses, so
 * the dense weight means the same in both layouts (a network's parameters do not depend on
 * {@code model.implementation}). DL4J's own CnnToFeedForwardPreProcessor would flatten NHWC in
 * (h, w, c) order. The arrays here are the small last-stage ones ([128, 4, 4, 64] in vgg-mini).
 */
public class ChannelsLastToDense extends BaseInputPreProcessor {
    private long height;
    private long width;
    private long channels;

    /** For JSON deserialization. */
    public ChannelsLastToDense() {
    }

    public ChannelsLastToDense(long height, long width, long channels) {
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() != 4 || input.size(1) != height || input.size(2) != width || input.size(3) != channels) {
            throw new IllegalStateException("ChannelsLastToDense expects [n, " + height + ", " + width + ", " + channels
                    + "] input, got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray nchw = workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 3, 1, 2), 'c');
        return nchw.reshape('c', input.size(0), channels * height * width);
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray nchw = output.dup('c').reshape('c', output.size(0), channels, height, width);
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, nchw.permute(0, 2, 3, 1), 'c');
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        return InputType.feedForward(channels * height * width);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    /** The preprocessor for a channels-last convolutional input type. */
    public static ChannelsLastToDense of(InputType.InputTypeConvolutional c) {
        if (c.getFormat() != CNN2DFormat.NHWC) {
            throw new IllegalStateException("ChannelsLastToDense needs NHWC input, got " + c);
        }
        return new ChannelsLastToDense(c.getHeight(), c.getWidth(), c.getChannels());
    }

    public long getHeight() {
        return height;
    }

    public long getWidth() {
        return width;
    }

    public long getChannels() {
        return channels;
    }

    @Override
    public ChannelsLastToDense clone() {
        return (ChannelsLastToDense) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelsLastToDense other && height == other.height && width == other.width
                && channels == other.channels;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(height, width, channels);
    }
}
