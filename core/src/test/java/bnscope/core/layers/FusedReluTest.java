package bnscope.core.layers;

import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FusedRelu} against DL4J's ReLU {@link ActivationLayer}: same outputs and same input
 * gradients to the bit (float and double; channels-last 4-d activations with odd sizes, as after a
 * conv + BatchNorm, and dense ones), in training and evaluation mode, with inputs that hold exact
 * zeros, negative zeros and values either side of 0, but for the sign of the zero gradient at a −0
 * input; the configuration survives DL4J's JSON round trip.
 */
class FusedReluTest {

    /** dense(identity) → ReLU (DL4J's or fused) → L2 loss: the ReLU sees a real upstream array and a real gradient. */
    private static MultiLayerNetwork net(boolean fused, DataType type, long inputs) {
        NativeBackend.configure();
        ActivationLayer.Builder relu = fused ? new FusedRelu.Builder() : new ActivationLayer.Builder().activation(Activation.RELU);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(inputs).nOut(inputs).activation(Activation.IDENTITY).build())
                .layer(relu.name("relu").build())
                .layer(new LossLayer.Builder().lossFunction(new LossL2()).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(inputs)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray values(DataType type, Random r, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            int k = r.nextInt(10);
            v[i] = k == 0 ? 0.0 : k == 1 ? -0.0 : r.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    private static void assertSameBits(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.castTo(DataType.DOUBLE).dup().data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup().data().asDouble();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), what + " element " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    /**
     * The input gradient: DL4J's bits, except that where the ReLU's input was −0 DL4J gives +0 and the
     * fused layer −0 (it differentiates from the output, relu(−0) = −0); every such element is checked.
     */
    private static void assertSameGradient(INDArray expected, INDArray actual, INDArray reluInput, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.castTo(DataType.DOUBLE).dup().data().asDouble();
        double[] a = actual.castTo(DataType.DOUBLE).dup().data().asDouble();
        double[] z = reluInput.castTo(DataType.DOUBLE).dup().data().asDouble();
        for (int i = 0; i < e.length; i++) {
            boolean negativeZeroInput = Double.doubleToRawLongBits(z[i]) == Double.doubleToRawLongBits(-0.0);
            long want = Double.doubleToRawLongBits(negativeZeroInput ? -0.0 : e[i]);
            if (negativeZeroInput) {
                assertEquals(0.0, e[i], what + " element " + i + ": DL4J's gradient at a −0 input");
            }
            assertEquals(want, Double.doubleToRawLongBits(a[i]), what + " element " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    @Test
    void sameOutputsAndInputGradientsAsDl4jsReluToTheBit() {
        Random r = new Random(11);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            long width = 37;
            MultiLayerNetwork dl4j = net(false, type, width);
            MultiLayerNetwork fused = net(true, type, width);
            assertEquals(dl4j.params(), fused.params(), "same initialization");
            assertTrue(((FusedReluLayer) fused.getLayer(1)).fastPath(), "the fused path runs, not DL4J's fallback");
            INDArray x = values(type, r, 19, width);
            INDArray y = values(type, r, 19, width);
            for (boolean training : new boolean[]{true, false}) {
                assertSameBits(dl4j.output(x, training), fused.output(x, training), type + " output, training " + training);
            }
            var g0 = dl4j.calculateGradients(x, y, null, null);
            var g1 = fused.calculateGradients(x, y, null, null);
            assertSameBits(g0.getSecond(), g1.getSecond(), type + " gradient of the input");
            assertSameBits(g0.getFirst().gradient(), g1.getFirst().gradient(), type + " parameter gradient below the ReLU");
            assertTrue(g0.getSecond().amaxNumber().doubleValue() > 0, "a real gradient");
        }
    }

    @Test
    void channelsLastActivationsGoThroughTheLayerAsDl4jsDo() {
        // the ReLU layer alone on a 4-d NHWC array with odd sizes (what it sees after conv + BatchNorm)
        NativeBackend.configure();
        Random r = new Random(5);
        INDArray x = values(DataType.FLOAT, r, 3, 5, 7, 6);
        INDArray eps = values(DataType.FLOAT, r, 3, 5, 7, 6);
        INDArray before = x.dup();
        var noWs = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        NeuralNetConfiguration conf0 = new NeuralNetConfiguration.Builder().layer(new ActivationLayer.Builder().activation(Activation.RELU).build()).build();
        NeuralNetConfiguration conf1 = new NeuralNetConfiguration.Builder().layer(new FusedRelu.Builder().build()).build();
        var dl4j = conf0.getLayer().instantiate(conf0, null, 0, null, true, DataType.FLOAT);
        var fused = conf1.getLayer().instantiate(conf1, null, 0, null, true, DataType.FLOAT);
        assertTrue(((FusedReluLayer) fused).fastPath(), "the fused path runs, not DL4J's fallback");
        // each layer gets its own copy: DL4J's layer applies the ReLU to its input in place in evaluation mode
        for (boolean training : new boolean[]{false, true}) {
            dl4j.setInput(x.dup(), noWs);
            fused.setInput(x, noWs);
            assertSameBits(dl4j.activate(training, noWs), fused.activate(training, noWs), "4-d output, training " + training);
        }
        assertSameGradient(dl4j.backpropGradient(eps.dup(), noWs).getSecond(), fused.backpropGradient(eps, noWs).getSecond(), x,
                "4-d input gradient");
        // a second backprop has no kept training output (each backprop drops it): relu_bp, DL4J's op, to the bit
        fused.setInput(x, noWs);
        dl4j.setInput(x.dup(), noWs);
        assertSameBits(dl4j.backpropGradient(eps.dup(), noWs).getSecond(), fused.backpropGradient(eps, noWs).getSecond(),
                "4-d input gradient, no kept output");
        assertSameBits(before, x, "the fused layer leaves its input as it was");
    }

    @Test
    void configurationSurvivesDl4jsJsonRoundTrip() {
        MultiLayerConfiguration conf = net(true, DataType.FLOAT, 4).getLayerWiseConfigurations();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertInstanceOf(FusedRelu.class, back.getConf(1).getLayer());
        assertEquals(conf, back);
    }
}
