package bnscope.core.models;

import bnscope.core.probes.WeightLayer;
import bnscope.core.probes.WeightLayers;

import bnscope.core.BadInputException;
import bnscope.core.layers.NoisyBatchNorm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VggBuilderTest {
    private static final Variant[] BUILT = {Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM};

    // Hand-written architectures: output channels of the convs in order, pools, flat size, dense sizes.
    private static final int[] MINI_CONVS = {16, 16, 32, 32, 64, 64};
    private static final int[] MINI_DENSE = {64 * 4 * 4, 128, 10};
    private static final int[] VGG16_CONVS = {64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};
    private static final int[] VGG16_DENSE = {512 * 1 * 1, 512, 512, 10};

    /** conv: 9·c_in·c_out + c_out; dense: n_in·n_out + n_out; DL4J BatchNorm: γ, β, mean, var = 4·c. */
    private static long expectedParams(int[] convs, int[] dense, boolean batchNorm) {
        long total = 0;
        int in = 3;
        for (int out : convs) {
            total += 9L * in * out + out + (batchNorm ? 4L * out : 0);
            in = out;
        }
        for (int k = 1; k < dense.length; k++) {
            boolean hidden = k < dense.length - 1;
            total += (long) dense[k - 1] * dense[k] + dense[k] + (batchNorm && hidden ? 4L * dense[k] : 0);
        }
        return total;
    }

    @Test
    void parameterCountsMatchTheHandFormula() {
        assertEquals(448 + 2320 + 4640 + 9248 + 18496 + 36928 + 131200 + 1290, expectedParams(MINI_CONVS, MINI_DENSE, false),
                "the formula itself, spelled out for vgg-mini");
        for (Variant v : BUILT) {
            boolean bn = v != Variant.STANDARD;
            assertEquals(expectedParams(MINI_CONVS, MINI_DENSE, bn), numParams(VggBuilder.VGG_MINI, v), "vgg-mini " + v);
            assertEquals(expectedParams(VGG16_CONVS, VGG16_DENSE, bn), numParams(VggBuilder.VGG16, v), "vgg16 " + v);
        }
        System.out.printf("parameters: vgg-mini standard %d, batchnorm %d; vgg16 standard %d, batchnorm %d%n",
                numParams(VggBuilder.VGG_MINI, Variant.STANDARD), numParams(VggBuilder.VGG_MINI, Variant.BATCHNORM),
                numParams(VggBuilder.VGG16, Variant.STANDARD), numParams(VggBuilder.VGG16, Variant.BATCHNORM));
    }

    @Test
    void normalizationSitsBetweenEachWeightLayerAndItsRelu() {
        assertEquals(List.of(
                "Conv:relu", "Conv:relu", "Pool", "Conv:relu", "Conv:relu", "Pool", "Conv:relu", "Conv:relu", "Pool",
                "Dense:relu", "Output:softmax"), layerSequence(Variant.STANDARD));
        assertEquals(List.of(
                "Conv:identity", "BN", "ReLU", "Conv:identity", "BN", "ReLU", "Pool",
                "Conv:identity", "BN", "ReLU", "Conv:identity", "BN", "ReLU", "Pool",
                "Conv:identity", "BN", "ReLU", "Conv:identity", "BN", "ReLU", "Pool",
                "Dense:identity", "BN", "ReLU", "Output:softmax"), layerSequence(Variant.BATCHNORM));
        assertEquals(List.of(
                "Conv:identity", "BN", "Noise", "ReLU", "Conv:identity", "BN", "Noise", "ReLU", "Pool",
                "Conv:identity", "BN", "Noise", "ReLU", "Conv:identity", "BN", "Noise", "ReLU", "Pool",
                "Conv:identity", "BN", "Noise", "ReLU", "Conv:identity", "BN", "Noise", "ReLU", "Pool",
                "Dense:identity", "BN", "Noise", "ReLU", "Output:softmax"), layerSequence(Variant.NOISY_BATCHNORM));
    }

    @Test
    void trainingSetupIsThePapers() {
        MultiLayerConfiguration conf = VggBuilder.preset(VggBuilder.VGG_MINI).variant(Variant.NOISY_BATCHNORM)
                .learningRate(0.5).seed(77).build();
        assertEquals(DataType.FLOAT, conf.getDataType());
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (layer instanceof BaseLayer base) {
                Sgd sgd = assertInstanceOf(Sgd.class, base.getIUpdater(), "plain SGD on " + layer.getLayerName());
                assertEquals(0.5, sgd.getLearningRate());
                assertTrue(base.getRegularization() == null || base.getRegularization().isEmpty(), "no weight decay");
            }
            if (layer instanceof BatchNormalization bn) {
                assertEquals(VggBuilder.BATCHNORM_DECAY, bn.getDecay());
                assertEquals(VggBuilder.BATCHNORM_EPS, bn.getEps());
            }
            if (layer instanceof NoisyBatchNorm noisy) {
                assertEquals(77, noisy.getSeed());
                assertEquals(0.5, noisy.getMeanSpread());
                assertEquals(1.25, noisy.getScaleMax());
            }
        }
        BatchNormalization defaults = new BatchNormalization.Builder().build();
        assertEquals(defaults.getDecay(), VggBuilder.BATCHNORM_DECAY, "we keep DL4J's default decay");
        assertEquals(defaults.getEps(), VggBuilder.BATCHNORM_EPS, "we keep DL4J's default eps");
    }

    @Test
    void weightLayersAreNumberedInPaperOrder() {
        List<String> names = List.of("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3",
                "conv4_1", "conv4_2", "conv4_3", "conv5_1", "conv5_2", "conv5_3", "dense1", "dense2", "output");
        // Layer #5 (conv3_1): standard 0 conv,1 conv,2 pool,3 conv,4 conv,5 pool,6 conv;
        // batchnorm blocks are conv,bn,relu: 0-2, 3-5, pool 6, 7-9, 10-12, pool 13, then 14-16.
        Map<Variant, Integer> conv31 = Map.of(Variant.STANDARD, 6, Variant.BATCHNORM, 14, Variant.NOISY_BATCHNORM, 18);
        for (Variant v : conv31.keySet()) {
            MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.preset(VggBuilder.VGG16).variant(v).build());
            net.init();
            WeightLayers layers = WeightLayers.of(net);
            assertEquals(names, layers.layers().stream().map(WeightLayer::name).toList(), v.label());
            assertEquals(conv31.get(v), layers.byNumber(5).dl4jIndex(), v.label());
            for (WeightLayer w : layers.layers()) {
                assertNotNull(net.getLayer(w.dl4jIndex()).getParam("W"), w.name() + " holds weights");
                assertEquals(v.normalizes() && !w.name().equals("output"), w.norm() != null, w.name() + " normalization");
            }
        }
    }

    @Test
    void noisyVggMiniTrainsTwoStepsWithFiniteLoss() {
        MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.preset(VggBuilder.VGG_MINI)
                .variant(Variant.NOISY_BATCHNORM).learningRate(0.1).seed(2024).build());
        net.init();
        Nd4j.getRandom().setSeed(2024);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 10, 1);
        }
        INDArray before = net.params().dup();
        net.fit(x, y);
        double first = net.score();
        net.fit(x, y);
        double second = net.score();
        assertTrue(Double.isFinite(first) && Double.isFinite(second), first + " / " + second);
        assertTrue(first > 1.0 && first < 10.0, "initial cross-entropy near ln 10, got " + first);
        assertNotEquals(before, net.params(), "SGD moved the weights");
        assertEquals(2, net.getIterationCount());
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"STANDARD", "BATCHNORM", "NOISY_BATCHNORM"})
    void configurationSurvivesJsonRoundTrip(Variant variant) {
        MultiLayerConfiguration conf = VggBuilder.preset(VggBuilder.VGG_MINI).variant(variant).learningRate(0.01).seed(9).build();
        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()));
    }

    @Test
    void lpVariantsPutAnLpNormalizationAfterEveryConvAndDenseButTheLast() {
        for (Variant v : new Variant[]{Variant.L1, Variant.L2, Variant.LINF}) {
            MultiLayerConfiguration conf = VggBuilder.preset(VggBuilder.VGG_MINI).variant(v).build();
            long lpLayers = conf.getConfs().stream()
                    .filter(c -> c.getLayer() instanceof bnscope.core.layers.LpNormalization).count();
            assertEquals(7, lpLayers, v.label());
        }
    }

    @Test
    void customSpecsBuildAndBadOnesAreRejected() {
        MultiLayerConfiguration conf = VggBuilder.of(" 8, m ,12,M", 20).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(List.of("conv1_1", "conv2_1", "dense1", "output"),
                WeightLayers.of(net).layers().stream().map(WeightLayer::name).toList());
        assertEquals(expectedParams(new int[]{8, 12}, new int[]{12 * 8 * 8, 20, 10}, false), net.numParams());

        for (String bad : new String[]{"", "64,X", "64,0", "M,M", "8,M,M,M,M,M,M"}) {
            assertThrows(BadInputException.class, () -> VggBuilder.of(bad), bad);
        }
        assertThrows(BadInputException.class, () -> VggBuilder.of("8", 0));
        assertThrows(BadInputException.class, () -> VggBuilder.preset("vgg19"));
        assertThrows(BadInputException.class, () -> VggBuilder.preset(VggBuilder.VGG_MINI).learningRate(0));
    }

    @Test
    void variantNamesParse() {
        for (Variant v : Variant.values()) {
            assertEquals(v, Variant.fromName(v.label()));
        }
        assertEquals(Variant.NOISY_BATCHNORM, Variant.fromName(" Noisy-BatchNorm "));
        BadInputException e = assertThrows(BadInputException.class, () -> Variant.fromName("bn"));
        assertTrue(e.getMessage().contains("standard, batchnorm, noisy-batchnorm, l1, l2, linf"), e.getMessage());
    }

    private static long numParams(String preset, Variant variant) {
        MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.preset(preset).variant(variant).seed(1).build());
        net.init();
        return net.numParams();
    }

    private static List<String> layerSequence(Variant variant) {
        MultiLayerConfiguration conf = VggBuilder.preset(VggBuilder.VGG_MINI).variant(variant).build();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String kind = switch (layer.getClass().getSimpleName()) {
                case "ConvolutionLayer", "FusedConvolution" -> "Conv:" + activation(((BaseLayer) layer).getActivationFn());
                case "DenseLayer" -> "Dense:" + activation(((BaseLayer) layer).getActivationFn());
                case "OutputLayer" -> "Output:" + ((BaseLayer) layer).getActivationFn().toString();
                case "SubsamplingLayer" -> "Pool";
                case "BatchNormalization", "FusedBatchNormalization" -> "BN";
                case "NoisyBatchNorm" -> "Noise";
                case "ActivationLayer", "FusedRelu" -> ((ActivationLayer) layer).getActivationFn() instanceof ActivationReLU ? "ReLU" : "?";
                default -> layer.getClass().getSimpleName();
            };
            out.add(kind);
        }
        return out;
    }

    private static String activation(org.nd4j.linalg.activations.IActivation fn) {
        if (fn instanceof ActivationReLU) {
            return "relu";
        }
        return fn instanceof ActivationIdentity ? "identity" : fn.toString();
    }
}
