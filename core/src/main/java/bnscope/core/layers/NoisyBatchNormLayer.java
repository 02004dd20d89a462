package bnscope.core.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
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
 * <p>Accepts [n, c] (dense) and NCHW [n, c, h, w] or NHWC [n, h, w, c] (conv) activations, as the
 * configuration's input type says. NHWC float activations take a fused path: the noise is drawn in
 * NCHW order exactly as for NCHW input (so every element gets the same draw whatever the layout),
 * and one pass adds σ_j and μ_j, reorders to NHWC and applies {@code s·a + m}, in the same float
 * operations as the NCHW path. Dropout is not supported.
 */
public class NoisyBatchNormLayer extends AbstractLayer<NoisyBatchNorm> {
    /** s of the last training forward pass, kept (in the activations workspace) for backprop. */
    private INDArray scale;
    /** Scratch buffers of the channels-last path, kept across steps. */
    private float[] rawScale;
    private float[] rawShift;
    private float[] values;
    private float[] scaled;
    private float[] shifted;

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
        if (layerConf().getGenerator() == NoiseGenerator.SPLITMIX) {
            return activateSplitMix(workspaceMgr);
        }
        long[] shape = input.shape();
        DataType type = input.dataType();
        if (input.rank() == 4 && layerConf().getCnn2dFormat() == CNN2DFormat.NHWC) {
            return type == DataType.FLOAT ? activateChannelsLast(workspaceMgr) : activateChannelsLastGeneric(workspaceMgr);
        }
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

    /**
     * The {@link NoiseGenerator#SPLITMIX} stream, any layout: draws and (FLOAT) applies {@code s·a + m} in
     * one pass over heap copies ({@link SplitMixNoise#drawAndApply}); DOUBLE activations get the same
     * float draws, applied in double by ND4J.
     */
    private INDArray activateSplitMix(LayerWorkspaceMgr workspaceMgr) {
        boolean channelsLast = input.rank() == 4 && layerConf().getCnn2dFormat() == CNN2DFormat.NHWC;
        int n = Math.toIntExact(input.size(0));
        int units = Math.toIntExact(input.size(channelsLast ? 3 : 1));
        int plane = Math.toIntExact(input.length() / ((long) n * units));
        int len = Math.toIntExact(input.length());
        boolean isFloat = input.dataType() == DataType.FLOAT;
        values = isFloat ? ArrayValues.readFloats(input, values) : null;
        scaled = scaled != null && scaled.length >= len ? scaled : new float[len];
        shifted = shifted != null && shifted.length >= len ? shifted : new float[len];
        long seed = DistributionShift.drawSeed(layerConf().getSeed(), index, getIterationCount());
        SplitMixNoise.drawAndApply(layerConf().noiseParameters(), seed, n, units, plane, channelsLast, values, scaled, shifted);
        INDArray s = workspaceMgr.createUninitialized(ArrayType.INPUT, DataType.FLOAT, input.shape(), 'c');
        ArrayValues.writeFloats(scaled, s);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
        ArrayValues.writeFloats(shifted, out);
        if (!isFloat) { // out holds m: out = a·s + m in the input's type
            INDArray m = out.castTo(input.dataType());
            s = workspaceMgr.castTo(ArrayType.INPUT, input.dataType(), s, false);
            out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
            input.mul(s, out);
            out.addi(m);
        }
        scale = s;
        return out;
    }

    /** NHWC input of another type (double, for numerical checks): the NCHW draws, reordered by ND4J. */
    private INDArray activateChannelsLastGeneric(LayerWorkspaceMgr workspaceMgr) {
        long n = input.size(0), h = input.size(1), w = input.size(2), c = input.size(3);
        DataType type = input.dataType();
        INDArray sDraw = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, type, new long[]{n, c, h, w}, 'c');
        INDArray mDraw = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, type, new long[]{n, c, h, w}, 'c');
        long seed = DistributionShift.drawSeed(layerConf().getSeed(), index, getIterationCount());
        DistributionShift.fill(layerConf().noiseParameters(), seed, sDraw, mDraw);
        INDArray s = workspaceMgr.dup(ArrayType.INPUT, sDraw.permute(0, 2, 3, 1), 'c');
        INDArray m = mDraw.permute(0, 2, 3, 1).dup('c');
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, input.shape(), 'c');
        input.mul(s, out);
        out.addi(m);
        scale = s;
        return out;
    }

    /** The training forward pass for NHWC float input (see the class comment). */
    private INDArray activateChannelsLast(LayerWorkspaceMgr workspaceMgr) {
        long n = input.size(0), h = input.size(1), w = input.size(2), c = input.size(3);
        long[] drawShape = {n, c, h, w};
        INDArray sRaw = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, drawShape, 'c');
        INDArray mRaw = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, drawShape, 'c');
        long seed = DistributionShift.drawSeed(layerConf().getSeed(), index, getIterationCount());
        DistributionShift.UnitDraw units = DistributionShift.drawCentred(layerConf().noiseParameters(), seed, sRaw, mRaw);
        rawScale = ArrayValues.readFloats(sRaw, rawScale);
        rawShift = ArrayValues.readFloats(mRaw, rawShift);
        values = ArrayValues.readFloats(input, values);
        float[] sigma = ArrayValues.readFloats(units.unitScales(), null);
        float[] mu = ArrayValues.readFloats(units.unitMeans(), null);
        int len = Math.toIntExact(input.length());
        scaled = scaled != null && scaled.length >= len ? scaled : new float[len];
        shifted = shifted != null && shifted.length >= len ? shifted : new float[len];
        int ni = (int) n, hi = (int) h, wi = (int) w, ci = (int) c, plane = hi * wi;
        int k = 0;
        for (int b = 0; b < ni; b++) {
            for (int p = 0; p < plane; p++) {
                int at = b * ci * plane + p; // NCHW index of (b, channel 0, p)
                for (int j = 0; j < ci; j++, k++, at += plane) {
                    float sv = rawScale[at] + sigma[j];   // s = (s − σ_j) + σ_j, as DistributionShift.fill adds it
                    float mv = rawShift[at] + mu[j];
                    float out = values[k] * sv;         // input.mul(s) then addi(m): two float roundings
                    scaled[k] = sv;
                    shifted[k] = out + mv;
                }
            }
        }
        INDArray s = workspaceMgr.createUninitialized(ArrayType.INPUT, DataType.FLOAT, input.shape(), 'c');
        ArrayValues.writeFloats(scaled, s);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(), 'c');
        ArrayValues.writeFloats(shifted, out);
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
