package bnscope.core.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The running form of {@link FusedConvolution}. On the oneDNN helper with NHWC activations and an
 * identity or ReLU activation (every conv of bnscope's VGG), it differs from DL4J's layer in two
 * ways that change no number, and by default in a third that changes only float rounding:
 * <ul>
 *   <li>Backprop reuses the output of the training forward pass instead of running the forward
 *       convolution again (DL4J recomputes the pre-activation z just to differentiate the
 *       activation). Identity needs no z; ReLU's derivative needs only the sign of z, and
 *       relu(z) &gt; 0 exactly where z &gt; 0 ({@link FusedReluLayer#gradientFromOutput}; a zero
 *       gradient where z = −0 keeps that sign). The reuse holds only while the layer's input is
 *       the array of that forward pass; otherwise (and for any other configuration) DL4J's own
 *       code runs.</li>
 *   <li>The helper gets the NHWC input as it is: DL4J M2 first copies it into an NCHW transpose it
 *       then does not use, and differentiates the activation on strided NCHW views of NHWC
 *       arrays (the slowest part of the standard network's step, measured).</li>
 *   <li>Where {@link ConvBackward#splits} says so, the gradients come from {@link SplitConvolutionBackward}
 *       (no Winograd backward-data kernel) instead of the helper's {@code conv2d_bp}.</li>
 * </ul>
 * Like DL4J's layer with its default cache mode, it keeps no state across steps other than the
 * reference to the last training output, which {@link #clear()} drops (and the split backward
 * pass's column of ones, a constant).
 */
public class FusedConvolutionLayer extends ConvolutionLayer {
    private final TrainingOutput kept = new TrainingOutput();
    private final SplitConvolutionBackward split = new SplitConvolutionBackward();

    public FusedConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fastPath() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        IActivation afn = c.getActivationFn();
        return helper != null && helperCountFail == 0 && c.getCnn2dDataFormat() == CNN2DFormat.NHWC && c.hasBias()
                && c.getIDropout() == null && c.getWeightNoise() == null && dataType == DataType.FLOAT
                && (afn instanceof ActivationIdentity || isPlainRelu(afn));
    }

    /**
     * The split pass asked for ({@link ConvBackward#splits} for this input's height × width, NHWC), and a
     * geometry {@link SplitConvolutionBackward} covers.
     */
    boolean splitBackward() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        return c instanceof FusedConvolution f && input != null && f.getBackward().splits(input.size(1) * input.size(2))
                && SplitConvolutionBackward.supports(convolutionMode, c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation());
    }

    /** A ReLU with DL4J's defaults (no max, threshold or negative slope); also {@link FusedReluLayer}'s test. */
    static boolean isPlainRelu(IActivation afn) {
        return afn instanceof ActivationReLU && afn.equals(new ActivationReLU());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        kept.clear();
        if (input == null || !fastPath()) {
            return super.activate(training, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        INDArray in = input.castTo(dataType);
        INDArray z = helper.preOutput(in, getParamWithNoise("W", training, workspaceMgr),
                getParamWithNoise("b", training, workspaceMgr), c.getKernelSize(), c.getStride(), c.getPadding(),
                c.getCudnnAlgoMode(), c.getCudnnFwdAlgo(), convolutionMode, c.getDilation(), CNN2DFormat.NHWC,
                workspaceMgr);
        if (z == null) {
            return super.activate(training, workspaceMgr);
        }
        INDArray out = c.getActivationFn().getActivation(z, training); // in place for ReLU
        if (training) {
            kept.keep(input, out);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray forwardOutput = kept.of(input);
        if (forwardOutput == null || !fastPath()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        INDArray eps = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
        if (eps.ordering() != 'c' || !Shape.hasDefaultStridesForShape(eps)) {
            eps = eps.dup('c');
        }
        INDArray delta;
        if (c.getActivationFn() instanceof ActivationIdentity) {
            delta = eps;
        } else {
            // From relu(z), written straight into a fresh array: DL4J's ActivationReLU would need a copy
            // of relu(z) to overwrite, and runs the slower relu_bp.
            delta = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, eps.shape(), 'c');
            FusedReluLayer.gradientFromOutput(forwardOutput, eps, delta);
        }
        INDArray weights = getParamWithNoise("W", true, workspaceMgr);
        Pair<Gradient, INDArray> ret;
        if (splitBackward()) {
            ret = split.backprop(input.castTo(dataType), weights, delta, c.getPadding(), gradientViews.get("W"),
                    gradientViews.get("b"), workspaceMgr);
        } else {
            ret = helper.backpropGradient(input.castTo(dataType), weights, getParamWithNoise("b", true, workspaceMgr),
                    delta, c.getKernelSize(), c.getStride(), c.getPadding(), gradientViews.get("b"), gradientViews.get("W"),
                    c.getActivationFn(), c.getCudnnAlgoMode(), c.getCudnnBwdFilterAlgo(), c.getCudnnBwdDataAlgo(),
                    convolutionMode, c.getDilation(), CNN2DFormat.NHWC, workspaceMgr);
        }
        kept.clear();
        if (ret == null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        weightNoiseParams.clear();
        return ret;
    }

    @Override
    public void clear() {
        super.clear();
        kept.clear();
    }
}
