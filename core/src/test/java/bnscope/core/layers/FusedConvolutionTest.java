package bnscope.core.layers;

import bnscope.core.probes.NetworkPass;
import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FusedConvolution} (channels-last) against DL4J's {@link ConvolutionLayer} in NCHW, the
 * layout bnscope's {@code dl4j} implementation runs, in a network of two convs (ReLU, then
 * identity) so the first one's backprop gets a real upstream gradient and its ReLU kink matters:
 * the loss, every parameter gradient and the gradient at the network's input agree to float
 * rounding (1e-5 of the largest entry; oneDNN picks different kernels per layout), for every
 * {@link ConvBackward} (auto runs conv2d_bp on these 7×9 maps, split the three-op pass). The fused
 * layer skips the second forward convolution and differentiates ReLU from its kept output, which
 * changes no value: relu(z) &gt; 0 exactly where z &gt; 0. (DL4J M2's own NHWC layer is no reference here:
 * its first-layer weight gradient changed from run to run on the same input, 99.9 and 106.4 against
 * 69.6 from both NCHW and fused, seen 2026-12-02.)
 */
class FusedConvolutionTest {

    private static final int BATCH = 12; // over 8: oneDNN's conv2d_bp then picks Winograd on AVX-512

    /** DL4J's layers in NCHW when {@code backward} is null, else fused ones with that backward pass. */
    private static MultiLayerNetwork net(ConvBackward backward) {
        NativeBackend.configure();
        boolean fused = backward != null;
        CNN2DFormat f = fused ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        ConvolutionLayer.Builder a = fused ? new FusedConvolution.Builder(3, 3).backward(backward) : new ConvolutionLayer.Builder(3, 3);
        ConvolutionLayer.Builder b = fused ? new FusedConvolution.Builder(3, 3).backward(backward) : new ConvolutionLayer.Builder(3, 3);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(a.nOut(5).stride(1, 1).padding(1, 1).dataFormat(f).activation(Activation.RELU).build())
                .layer(b.nOut(4).stride(1, 1).padding(1, 1).dataFormat(f).activation(Activation.IDENTITY).build())
                .layer(new CnnLossLayer.Builder().lossFunction(new LossL2()).activation(Activation.IDENTITY)
                        .format(f).build())
                .setInputType(InputType.convolutional(7, 9, 3, f)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @ParameterizedTest
    @EnumSource(ConvBackward.class)
    void gradientsEqualDl4jsNchwLayerToRounding(ConvBackward backward) {
        MultiLayerNetwork ref = net(null);
        MultiLayerNetwork fused = net(backward);
        fused.setParams(ref.params());
        assertTrue(NativeBackend.allHelpersActive(fused), () -> "helpers: " + NativeBackend.layerHelpers(fused));
        assertInstanceOf(FusedConvolutionLayer.class, fused.getLayer(0));

        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, BATCH, 7, 9, 3);
        INDArray y = Nd4j.randn(DataType.FLOAT, BATCH, 7, 9, 4);
        ref.setInput(x.permute(0, 3, 1, 2).dup('c'));
        ref.setLabels(y.permute(0, 3, 1, 2).dup('c'));
        fused.setInput(x);
        fused.setLabels(y);
        ref.computeGradientAndScore();
        fused.computeGradientAndScore();
        // 7 x 9 positions: auto, below its threshold, runs conv2d_bp like combined
        assertEquals(backward == ConvBackward.SPLIT, ((FusedConvolutionLayer) fused.getLayer(0)).splitBackward());
        assertEquals(ref.score(), fused.score(), 1e-6 * ref.score(), "loss");
        INDArray gr = ref.getFlattenedGradients();
        INDArray gf = fused.getFlattenedGradients();
        assertTrue(gr.amaxNumber().doubleValue() > 0, "the reference gradient is not all zero");
        double scale = gr.amaxNumber().doubleValue();
        assertEquals(0.0, gr.sub(gf).amaxNumber().doubleValue(), 1e-5 * scale, "parameter gradients");

        // The loss gradient at the network's input, through bnscope's own pass (the probes' route).
        INDArray epsRef = new NetworkPass(ref).run(0, x.permute(0, 3, 1, 2).dup('c'), y.permute(0, 3, 1, 2).dup('c'))
                .inputGradient().permute(0, 2, 3, 1);
        INDArray epsFused = new NetworkPass(fused).run(0, x, y).inputGradient();
        assertArrayEquals(x.shape(), epsFused.shape());
        assertEquals(0.0, epsRef.sub(epsFused).amaxNumber().doubleValue(), 1e-5 * epsRef.amaxNumber().doubleValue(),
                "gradient at the input");
    }

    /**
     * The split backward pass against libnd4j's conv2d_bp on the same layer and the same upstream
     * gradient (the last conv, whose δ does not depend on the backward pass chosen): the weight
     * gradient is the same oneDNN backward-weights computation, to the bit; the bias gradient (a
     * matrix product instead of oneDNN's reduction) agrees to float rounding.
     */
    @Test
    void splitWeightGradientIsConv2dBpsToTheBit() {
        MultiLayerNetwork combined = net(ConvBackward.COMBINED);
        MultiLayerNetwork split = net(ConvBackward.SPLIT);
        split.setParams(combined.params());
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, BATCH, 7, 9, 3);
        INDArray y = Nd4j.randn(DataType.FLOAT, BATCH, 7, 9, 4);
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {combined, split}) {
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
        }
        INDArray wCombined = combined.gradient().getGradientFor("1_W");
        INDArray wSplit = split.gradient().getGradientFor("1_W");
        assertTrue(wCombined.amaxNumber().doubleValue() > 0, "the weight gradient is not all zero");
        assertEquals(wCombined, wSplit, "last conv's weight gradient");
        INDArray bCombined = combined.gradient().getGradientFor("1_b");
        INDArray bSplit = split.gradient().getGradientFor("1_b");
        assertEquals(0.0, bCombined.sub(bSplit).amaxNumber().doubleValue(), 1e-5 * bCombined.amaxNumber().doubleValue(),
                "last conv's bias gradient");
    }

    /** The backward pass is part of the saved configuration (checkpoints); one saved before it reads as combined. */
    @Test
    void backwardPassSurvivesJsonAndOldConfigurationsReadAsCombined() {
        MultiLayerConfiguration conf = net(ConvBackward.SPLIT).getLayerWiseConfigurations();
        String json = conf.toJson();
        assertTrue(json.contains("\"backward\" : \"SPLIT\""), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(ConvBackward.SPLIT, ((FusedConvolution) back.getConf(0).getLayer()).getBackward());
        assertEquals(conf, back);
        MultiLayerConfiguration old = MultiLayerConfiguration.fromJson(json.replace("\"backward\" : \"SPLIT\",", ""));
        assertEquals(ConvBackward.COMBINED, ((FusedConvolution) old.getConf(0).getLayer()).getBackward());
    }

    @Test
    void autoSplitsFrom32By32Positions() {
        assertTrue(ConvBackward.AUTO.splits(32 * 32));
        assertTrue(ConvBackward.AUTO.splits(64 * 64));
        assertFalse(ConvBackward.AUTO.splits(16 * 16));
        assertTrue(ConvBackward.SPLIT.splits(1));
        assertFalse(ConvBackward.COMBINED.splits(1 << 20));
    }
}
