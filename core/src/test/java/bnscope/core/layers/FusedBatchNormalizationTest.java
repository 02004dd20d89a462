package bnscope.core.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FusedBatchNormalization} against DL4J's own BatchNormalization in the layout bnscope used
 * before issue 15 (NCHW; dense [n, units]): outputs in training and evaluation mode, input, γ and β
 * gradients and the running-statistic updates, for conv input given to the fused layer in NCHW
 * and in NHWC, dense input, odd shapes, and after SGD steps have moved the running statistics
 * (so evaluation mode uses non-trivial running values).
 * Tolerance: 2e-5 relative to the largest value of each compared array (float32 with different
 * summation orders; measured differences are ~1e-6). Plus finite-difference gradient checks in double.
 */
class FusedBatchNormalizationTest {
    private static final double TOLERANCE = 2e-5;

    private static MultiLayerNetwork single(Layer bn, InputType type, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(dataType)
                .updater(new Sgd(0.1)).list()
                .layer(bn)
                .layer(lossLayer(type))
                .setInputType(type).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static Layer lossLayer(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return new CnnLossLayer.Builder().lossFunction(new LossMSE()).activation(Activation.IDENTITY).format(c.getFormat()).build();
        }
        return new LossLayer.Builder().lossFunction(new LossMSE()).activation(Activation.IDENTITY).build();
    }

    private static BatchNormalization dl4j() {
        return new BatchNormalization.Builder().decay(0.9).eps(1e-5).build();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertNotNull(expected, what + ": no reference value");
        assertNotNull(actual, what + ": no value");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = Math.max(1e-12, expected.castTo(DataType.DOUBLE).amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE * scale, what + ": max |difference| " + diff + " > " + TOLERANCE + " x " + scale);
    }

    /** Compares one conv case: the reference in NCHW, the fused layer in {@code format}. */
    private static void compareConv(int n, int c, int h, int w, CNN2DFormat format, long seed) {
        MultiLayerNetwork ref = single(dl4j(), InputType.convolutional(h, w, c), DataType.FLOAT);
        MultiLayerNetwork fused = single(FusedBatchNormalization.of(0.9, 1e-5, "bn"),
                InputType.convolutional(h, w, c, format), DataType.FLOAT);
        assertInstanceOf(FusedBatchNormalizationLayer.class, fused.getLayer(0));
        assertEquals(ref.paramTable().keySet(), fused.paramTable().keySet(), "parameter keys and order");
        assertEquals(List.copyOf(ref.paramTable().keySet()), List.copyOf(fused.paramTable().keySet()));
        Nd4j.getRandom().setSeed(seed);
        // non-zero mean, per-channel scales: what a conv hands to BatchNorm
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, h, w).muli(3).addi(1.5);
        INDArray y = Nd4j.randn(DataType.FLOAT, n, c, h, w);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, ref.numParams()).muli(0.5).addi(0.5); // γ, β, running mean, var > 0
        ref.setParams(params);
        fused.setParams(params.dup());
        boolean nhwc = format == CNN2DFormat.NHWC;
        INDArray xf = nhwc ? x.permute(0, 2, 3, 1).dup('c') : x;
        INDArray yf = nhwc ? y.permute(0, 2, 3, 1).dup('c') : y;
        for (int step = 0; step < 3; step++) {
            for (boolean train : new boolean[]{true, false}) {
                INDArray o = fused.output(xf, train);
                assertClose(ref.output(x, train), nhwc ? o.permute(0, 3, 1, 2) : o, "output, train=" + train + ", step " + step);
            }
            Pair<Gradient, INDArray> gr = ref.calculateGradients(x, y, null, null);
            Pair<Gradient, INDArray> gf = fused.calculateGradients(xf, yf, null, null);
            assertClose(gr.getSecond(), nhwc ? gf.getSecond().permute(0, 3, 1, 2) : gf.getSecond(), "input gradient, step " + step);
            assertEquals(gr.getFirst().gradientForVariable().keySet(), gf.getFirst().gradientForVariable().keySet(), "gradient keys");
            for (String key : ref.getLayer(0).paramTable().keySet()) { // gamma, beta, mean, log10stdev (DL4J default)
                assertClose(gr.getFirst().getGradientFor("0_" + key), gf.getFirst().getGradientFor("0_" + key), key + " gradient, step " + step);
            }
            // one SGD step moves γ, β and the running statistics (by DL4J's updater, from these gradients)
            ref.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            fused.fit(new org.nd4j.linalg.dataset.DataSet(xf, yf));
            assertClose(ref.params(), fused.params(), "parameters after step " + step);
        }
    }

    @Test
    void convNchwEqualsDl4j() {
        compareConv(8, 5, 6, 7, CNN2DFormat.NCHW, 11);
    }

    @Test
    void convNhwcEqualsDl4jNchw() {
        compareConv(8, 5, 6, 7, CNN2DFormat.NHWC, 12);
        compareConv(3, 16, 9, 5, CNN2DFormat.NHWC, 13);
    }

    @Test
    void denseEqualsDl4j() {
        MultiLayerNetwork ref = single(dl4j(), InputType.feedForward(13), DataType.FLOAT);
        MultiLayerNetwork fused = single(FusedBatchNormalization.of(0.9, 1e-5, "bn"), InputType.feedForward(13), DataType.FLOAT);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 37, 13).muli(2).subi(4);
        INDArray y = Nd4j.randn(DataType.FLOAT, 37, 13);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, ref.numParams()).addi(0.25);
        ref.setParams(params);
        fused.setParams(params.dup());
        for (int step = 0; step < 3; step++) {
            assertClose(ref.output(x, true), fused.output(x, true), "train output");
            assertClose(ref.output(x, false), fused.output(x, false), "eval output");
            Pair<Gradient, INDArray> gr = ref.calculateGradients(x, y, null, null);
            Pair<Gradient, INDArray> gf = fused.calculateGradients(x, y, null, null);
            assertClose(gr.getSecond(), gf.getSecond(), "input gradient");
            assertEquals(gr.getFirst().gradientForVariable().keySet(), gf.getFirst().gradientForVariable().keySet(), "gradient keys");
            for (String key : ref.getLayer(0).paramTable().keySet()) { // gamma, beta, mean, log10stdev (DL4J default)
                assertClose(gr.getFirst().getGradientFor("0_" + key), gf.getFirst().getGradientFor("0_" + key), key);
            }
            ref.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            fused.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
            assertClose(ref.params(), fused.params(), "parameters after step " + step);
        }
    }

    @Test
    void finiteDifferenceGradientsInDouble() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            checkGradients();
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    private static void checkGradients() {
        // NCHW and dense only: DL4J's gradient check of an NHWC CnnLossLayer network fails for DL4J's own
        // BatchNorm too (seen while writing this test), so the NHWC kernel is covered by its equality
        // with the NCHW reference above, which this check ties to finite differences.
        for (InputType type : List.of(InputType.feedForward(4), InputType.convolutional(3, 5, 4, CNN2DFormat.NCHW))) {
            FusedBatchNormalization bn = FusedBatchNormalization.of(0.9, 1e-5, "bn");
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.DOUBLE)
                    .updater(new NoOp()).list()
                    .layer(bn)
                    .layer(lossLayer(type))
                    .setInputType(type).build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            Nd4j.getRandom().setSeed(3);
            long[] shape = type instanceof InputType.InputTypeConvolutional c
                    ? (c.getFormat() == CNN2DFormat.NHWC ? new long[]{6, c.getHeight(), c.getWidth(), c.getChannels()}
                    : new long[]{6, c.getChannels(), c.getHeight(), c.getWidth()})
                    : new long[]{6, 4};
            INDArray x = Nd4j.randn(DataType.DOUBLE, shape).muli(2).addi(0.7);
            INDArray y = Nd4j.randn(DataType.DOUBLE, shape);
            net.setParams(Nd4j.rand(DataType.DOUBLE, 1, net.numParams()).addi(0.5));
            // running statistics are not gradients: DL4J's check skips them for BatchNorm layers
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .excludeParams(java.util.Set.of("0_mean", "0_var", "0_log10stdev")).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
            assertTrue(ok, "finite-difference gradient check failed for " + type);
        }
    }
}
