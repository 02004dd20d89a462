package bnscope.core.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.comparison.CompareAndSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The running form of {@link FusedRelu}: DL4J's ReLU ({@code RectifiedLinear}) forward, writing
 * straight into a fresh array of the layer's workspace instead of into a copy of the input, and
 * backward {@link #gradientFromOutput} on the kept training output. DL4J's {@link ActivationLayer}
 * copies its input in both passes (16 bytes moved per element forward, 20 or more backward, against
 * 8 and 12 here), over every activation of a BatchNorm network, and its {@code relu_bp} op runs at
 * half the speed of the compare-and-set used here (2.0 against 3.9 ms for 2 M floats, one thread).
 * The numbers are the same to the bit, except that where the input was −0 the zero gradient is −0
 * too ({@code FusedReluTest}). Any other activation, or a layer with dropout, runs DL4J's own code.
 */
public class FusedReluLayer extends ActivationLayer {
    private final TrainingOutput kept = new TrainingOutput();

    public FusedReluLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** A plain ReLU without dropout: the layer's own passes; anything else runs DL4J's code. */
    boolean fastPath() {
        return FusedConvolutionLayer.isPlainRelu(layerConf().getActivationFn()) && layerConf().getIDropout() == null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), input.ordering());
        Nd4j.getExecutioner().exec(new RectifiedLinear(input, out));
        kept.clear();
        if (training) {
            kept.keep(input, out);
        }
        return out;
    }

    /**
     * dL/dz of a ReLU from its output r = relu(z) and dL/dr: {@code eps} where r &gt; 0, else r's own
     * zero. The same numbers as libnd4j's {@code relu_bp} (which DL4J runs on z) except for the sign
     * of a zero where z was −0, in one compare-and-set pass that runs twice as fast. Also the conv
     * layer's ReLU backprop ({@link FusedConvolutionLayer}).
     */
    static void gradientFromOutput(INDArray output, INDArray eps, INDArray delta) {
        Nd4j.exec(new CompareAndSet(eps, output, delta, Conditions.lessThanOrEqual(0)));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), input.ordering());
        INDArray output = kept.of(input);
        if (output != null) {
            gradientFromOutput(output, epsilon, delta);
        } else {
            Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(input, epsilon, delta, 0.0));
        }
        kept.clear();
        return new Pair<>(new DefaultGradient(), delta);
    }

    @Override
    public void clear() {
        super.clear();
        kept.clear();
    }
}
