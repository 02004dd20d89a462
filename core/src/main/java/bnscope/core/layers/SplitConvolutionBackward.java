package bnscope.core.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a stride-1 NHWC convolution as three separate libnd4j ops instead of
 * libnd4j's one {@code conv2d_bp} ({@code model.conv_backward = split}, or {@code auto} on feature maps
 * of 32×32 and more: {@link ConvBackward}).
 *
 * <p>Why: libnd4j's oneDNN {@code conv2d_bp} always asks oneDNN for {@code convolution_auto}, which on
 * AVX-512 machines picks the Winograd backward-data kernel for batches over 8; profiled on vgg-mini
 * (batch 128, one thread) that kernel took 63 of the 147 ms a standard step spends in oneDNN, four
 * times the forward convolutions it mirrors (docs/performance.md, fourth round). The same numbers come
 * from:
 * <ul>
 *   <li>the input gradient as a <em>forward</em> convolution of the output gradient δ with the
 *       kernel transposed (in and out channels swapped) and rotated by 180°, padded by
 *       {@code k − 1 − p} (for stride 1 and no dilation this is exactly the transposed convolution),
 *       which oneDNN runs with its direct kernels;</li>
 *   <li>the weight gradient from {@code deconv2d_bp} with δ as the deconvolution's input and the
 *       layer's input as its output gradient: a deconvolution's weight gradient is the convolution's
 *       (the same oneDNN backward-weights primitive, to the bit; it also computes the deconvolution's
 *       input gradient, a forward convolution this class throws away);</li>
 *   <li>the bias gradient, δ summed over batch and positions, as one matrix product with a vector
 *       of ones.</li>
 * </ul>
 * The weight gradient is bit-identical to {@code conv2d_bp}'s; the input and bias gradients differ
 * only by float rounding of a different summation order ({@code FusedConvolutionTest}).
 */
final class SplitConvolutionBackward {
    private INDArray ones;

    /**
     * Whether this class computes the backward pass of the given geometry (else use conv2d_bp): stride 1,
     * no dilation, and explicit padding of at most kernel − 1 (DL4J's Same mode pads by its own rule).
     */
    static boolean supports(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (mode == ConvolutionMode.Same) {
            return false;
        }
        for (int d = 0; d < 2; d++) {
            if (stride[d] != 1 || dilation[d] != 1 || padding[d] < 0 || padding[d] > kernel[d] - 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gradients of a convolution {@code z = conv(x, W) + b} (NHWC, DL4J's weight layout
     * {@code [out, in, kh, kw]}, explicit padding, stride 1).
     *
     * @param x         the layer's input, NHWC {@code [n, h, w, in]}
     * @param weights   W, {@code [out, in, kh, kw]}
     * @param delta     dL/dz, NHWC {@code [n, h', w', out]}, c-order
     * @param padding   explicit padding (rows, columns)
     * @param weightGrad the layer's gradient view for W, written in place
     * @param biasGrad  the layer's gradient view for b ({@code [1, out]}), written in place
     * @return the gradient (b and W, as DL4J's helper orders them) and dL/dx
     */
    Pair<Gradient, INDArray> backprop(INDArray x, INDArray weights, INDArray delta, int[] padding,
                                      INDArray weightGrad, INDArray biasGrad, LayerWorkspaceMgr workspaceMgr) {
        DataType type = delta.dataType();
        long out = weights.size(0);
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);

        // dL/dx: forward conv of delta with W transposed to [in, out, kh, kw] and rotated 180 degrees.
        INDArray rotated = rotate(weights);
        INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, x.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(delta, rotated).addOutputs(inputGrad)
                .addIntegerArguments(args(kh, kw, kh - 1 - padding[0], kw - 1 - padding[1])).build());

        // dL/dW: deconv2d_bp's weight gradient; its input gradient (same shape as delta) is discarded.
        INDArray discarded = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, delta.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("deconv2d_bp").addInputs(delta, weights, x).addOutputs(discarded, weightGrad)
                .addIntegerArguments(args(kh, kw, padding[0], padding[1])).build());

        // dL/db: ones^T (1 x n*h'*w') times delta (n*h'*w' x out).
        long positions = delta.length() / out;
        INDArray flat = delta.reshape('c', positions, out);
        Nd4j.gemm(ones(positions, type), flat, biasGrad.reshape('c', 1, out), true, false, 1.0, 0.0);

        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put("b", biasGrad);
        gradient.gradientForVariable().put("W", weightGrad);
        return new Pair<>(gradient, inputGrad);
    }

    /**
     * The kernel transposed and rotated, {@code r[i][o][a][b] = weights[o][i][kh-1-a][kw-1-b]}, in
     * Java: it is small (at most out·in·9 values), and libnd4j's {@code reverse} on the permuted view
     * walked it element by element through shape arithmetic (about 1 ms per layer and step, profiled).
     * Float, the fused path's type.
     */
    static INDArray rotate(INDArray weights) {
        int out = (int) weights.size(0);
        int in = (int) weights.size(1);
        int taps = (int) (weights.size(2) * weights.size(3));
        float[] w = weights.dup('c').data().asFloat();
        float[] r = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                int from = (o * in + i) * taps;
                int to = (i * out + o) * taps + taps - 1;
                for (int t = 0; t < taps; t++) {
                    r[to - t] = w[from + t];
                }
            }
        }
        return Nd4j.create(r, new long[] {in, out, weights.size(2), weights.size(3)}, 'c');
    }

    /** libnd4j's conv2d / deconv2d integer arguments: stride 1, no dilation, explicit pads, NHWC, W as [out, in, kh, kw]. */
    private static int[] args(int kh, int kw, int padRows, int padColumns) {
        return new int[] {kh, kw, 1, 1, padRows, padColumns, 1, 1, 0, 1, 1};
    }

    /** A column of ones, kept across steps outside any workspace (it only changes with the batch size). */
    private INDArray ones(long length, DataType type) {
        if (ones == null || ones.length() != length || ones.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, length, 1);
            }
        }
        return ones;
    }
}
