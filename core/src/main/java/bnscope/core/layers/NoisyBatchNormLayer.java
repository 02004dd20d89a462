package bnscope.core.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The running form of {@link NoisyBatchNorm}: at a training forward pass it draws s and m for the
 * current (seed, layer index, iteration) and returns {@code s·a + m}; at evaluation it returns its
 * input unchanged. Backprop treats s and m as constants: {@code ∂L/∂a = s·∂L/∂out}.
 *
 * <p>Accepts [n, c] (dense) and NCHW [n, c, h, w] (conv) activations. Dropout is not supported.
 */
public class NoisyBatchNormLayer extends AbstractLayer<NoisyBatchNorm> {
    /** s of the last training forward pass, kept (in the activations workspace) for backprop. */
    private INDArray scale;

    public NoisyBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (input.rank() != 2 && input.rank() != 4) {
            throw new IllegalStateException("NoisyBatchNorm layer " + index + " (" + layerId() + ") needs [n,c] or "
                    + "NCHW [n,c,h,w] input, got shape " + Arrays.toString(input.shape()));
        }
        if (!training) {
            scale = null;
            // A copy, so that a later in-place activation cannot rewrite BatchNorm's output.
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, input, 'c');
        }
        long[] shape = input.shape();
        DataType type = input.dataType();
        INDArray s = workspaceMgr.createUninitialized(ArrayType.INPUT, type, shape, 'c');
        INDArray m = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, type, shape, 'c');
        long seed = DistributionShift.drawSeed(layerConf().getSeed(), index, getIterationCount());
        DistributionShift.fill(layerConf().noiseParameters(), seed, s, m);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, shape, 'c');
        input.mul(s, out);
        out.addi(m);
        scale = s;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (scale == null) {
            throw new IllegalStateException("NoisyBatchNorm layer " + index + " (" + layerId() + "): backprop "
                    + "without a preceding training forward pass");
        }
        INDArray grad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                epsilon.shape(), 'c');
        epsilon.mul(scale, grad);
        return new Pair<>(new DefaultGradient(), grad);
    }

    @Override
    public void clear() {
        super.clear();
        scale = null;
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0;
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no weight noise: this layer has no parameters
    }

    @Override
    public INDArray params() {
        return null;
    }
}
