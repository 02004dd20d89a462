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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The running form of {@link FusedRelu}: the ops DL4J's ReLU runs ({@code RectifiedLinear} forward,
 * {@code RectifiedLinearDerivative} backward), each writing straight into a fresh array of the
 * layer's workspace instead of into a copy of the input. DL4J's {@link ActivationLayer} copies its
 * input in both passes (16 bytes moved per element forward, 20 or more backward, against 8 and 12
 * here), over every activation of a BatchNorm network. The numbers are the same to the bit
 * ({@code FusedReluTest}). Any other activation, or a layer with dropout, runs DL4J's own code.
 */
public class FusedReluLayer extends ActivationLayer {

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
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fastPath()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), input.ordering());
        Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(input, epsilon, delta, 0.0));
        return new Pair<>(new DefaultGradient(), delta);
    }
}
