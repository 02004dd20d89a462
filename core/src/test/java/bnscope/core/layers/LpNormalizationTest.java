package bnscope.core.layers;

import bnscope.core.BadInputException;
import bnscope.core.NumericalGradient;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LpNormalizationTest {
    private static final double H = 1e-5;
    private static final double GRADIENT_TOLERANCE = 1e-6;

    /** Dense: LpNorm(6 units) then a squared-error loss on random targets, in double precision. */
    private static MultiLayerNetwork denseNet(double p, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new LpNormalization.Builder(p).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Convolutional: LpNorm over 2 channels of 3x3 maps, loss per position. */
    private static MultiLayerNetwork convNet(double p, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new LpNormalization.Builder(p).build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(3, 3, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Gaussian entries, redrawn until no entry is near 0 (the kink of |x|) and, per unit, the two
     * largest |x| are well apart (the kink of max): finite differences then see a smooth function.
     */
    private static INDArray smoothPoint(Random rng, long[] shape, boolean conv) {
        while (true) {
            INDArray x = Nd4j.create(DataType.DOUBLE, shape);
            for (long k = 0; k < x.length(); k++) {
                x.putScalar(k, 1.5 * rng.nextGaussian() + 0.3);
            }
            INDArray rows = conv ? x.permute(0, 2, 3, 1).dup('c').reshape(x.length() / shape[1], shape[1]) : x;
            if (awayFromKinks(rows)) {
                return x;
            }
        }
    }

    private static boolean awayFromKinks(INDArray rows) {
        for (int j = 0; j < rows.columns(); j++) {
            double first = 0;
            double second = 0;
            for (int i = 0; i < rows.rows(); i++) {
                double a = Math.abs(rows.getDouble(i, j));
                if (a < 1e-2) {
                    return false;
                }
                if (a > first) {
                    second = first;
                    first = a;
                } else if (a > second) {
                    second = a;
                }
            }
            if (first - second < 1e-2) {
                return false;
            }
        }
        return true;
    }

    private static void randomizeGammaBeta(MultiLayerNetwork net, Random rng) {
        INDArray gamma = net.getLayer(0).getParam(LpNormalizationParamInitializer.GAMMA);
        INDArray beta = net.getLayer(0).getParam(LpNormalizationParamInitializer.BETA);
        for (long k = 0; k < gamma.length(); k++) {
            gamma.putScalar(k, 0.5 + rng.nextDouble());
            beta.putScalar(k, rng.nextGaussian());
        }
    }

    /** DL4J's score is the minibatch mean; its raw gradients are of the sum, so compare with m·score. */
    private static double summedScore(MultiLayerNetwork net, INDArray x, INDArray y) {
        return net.score(new DataSet(x, y), true) * x.size(0);
    }

    private static void checkGradients(MultiLayerNetwork net, INDArray x, INDArray y, String what) {
        Pair<Gradient, INDArray> analytic = net.calculateGradients(x, y, null, null);
        double[] inputGrad = NumericalGradient.entries(analytic.getSecond().dup());
        double[] gammaGrad = NumericalGradient.entries(
                analytic.getFirst().getGradientFor("0_" + LpNormalizationParamInitializer.GAMMA).dup());
        double[] betaGrad = NumericalGradient.entries(
                analytic.getFirst().getGradientFor("0_" + LpNormalizationParamInitializer.BETA).dup());

        double[] numInput = NumericalGradient.of(x, () -> summedScore(net, x, y), H);
        double[] numGamma = NumericalGradient.of(net.getLayer(0).getParam(LpNormalizationParamInitializer.GAMMA),
                () -> summedScore(net, x, y), H);
        double[] numBeta = NumericalGradient.of(net.getLayer(0).getParam(LpNormalizationParamInitializer.BETA),
                () -> summedScore(net, x, y), H);

        double eInput = NumericalGradient.scaledMaxError(inputGrad, numInput);
        double eGamma = NumericalGradient.scaledMaxError(gammaGrad, numGamma);
        double eBeta = NumericalGradient.scaledMaxError(betaGrad, numBeta);
        System.out.printf("%s: max rel error input %.2e gamma %.2e beta %.2e%n", what, eInput, eGamma, eBeta);
        assertTrue(eInput < GRADIENT_TOLERANCE, what + " input gradient, rel error " + eInput);
        assertTrue(eGamma < GRADIENT_TOLERANCE, what + " gamma gradient, rel error " + eGamma);
        assertTrue(eBeta < GRADIENT_TOLERANCE, what + " beta gradient, rel error " + eBeta);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, Double.POSITIVE_INFINITY})
    void denseGradientsMatchCentralDifferences(double p) {
        Random rng = new Random(11);
        MultiLayerNetwork net = denseNet(p, 3);
        randomizeGammaBeta(net, rng);
        INDArray x = smoothPoint(rng, new long[]{8, 6}, false);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 8, 6);
        checkGradients(net, x, y, "dense p=" + p);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, Double.POSITIVE_INFINITY})
    void convGradientsMatchCentralDifferences(double p) {
        Random rng = new Random(12);
        MultiLayerNetwork net = convNet(p, 4);
        randomizeGammaBeta(net, rng);
        INDArray x = smoothPoint(rng, new long[]{3, 2, 3, 3}, true);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 3, 2, 3, 3);
        checkGradients(net, x, y, "conv p=" + p);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, Double.POSITIVE_INFINITY})
    void forwardFollowsThePaperFormulaPerChannel(double p) {
        Random rng = new Random(5);
        MultiLayerNetwork net = convNet(p, 1);
        INDArray x = smoothPoint(rng, new long[]{4, 2, 3, 3}, true);
        INDArray out = net.getLayer(0).activate(x, true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        for (int c = 0; c < 2; c++) {
            // direct reading of y_ij = (x_ij − μ_j) / (((1/m) Σ|x_ij|^p)^{1/p} + eps), (n,h,w) as batch
            double sum = 0;
            double norm = 0;
            int m = 0;
            for (int n = 0; n < 4; n++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 3; w++) {
                        double v = x.getDouble(n, c, h, w);
                        sum += v;
                        norm = Double.isInfinite(p) ? Math.max(norm, Math.abs(v)) : norm + Math.pow(Math.abs(v), p);
                        m++;
                    }
                }
            }
            double mean = sum / m;
            double divisor = (Double.isInfinite(p) ? norm : Math.pow(norm / m, 1 / p)) + LpNormalization.DEFAULT_EPS;
            double outSum = 0;
            for (int n = 0; n < 4; n++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 3; w++) {
                        double expected = (x.getDouble(n, c, h, w) - mean) / divisor;
                        assertEquals(expected, out.getDouble(n, c, h, w), 1e-12);
                        outSum += out.getDouble(n, c, h, w);
                    }
                }
            }
            assertEquals(0.0, outSum / m, 1e-12, "channel " + c + " output mean");
        }
    }

    @Test
    void denseOutputHasZeroMeanPerUnitInFloat() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.FLOAT).list()
                .layer(new LpNormalization.Builder(1.0).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 5).muli(3).addi(2);
        INDArray out = net.output(x, true);
        INDArray means = out.mean(0);
        for (int j = 0; j < 5; j++) {
            assertEquals(0.0, means.getDouble(j), 1e-5, "unit " + j);
        }
        // the input mean was 2, so an un-centred output would be far from 0
        assertTrue(Math.abs(x.mean(0).getDouble(0)) > 1);
    }

    @Test
    void oneSgdStepMovesRunningStatisticsAndEvaluationUsesThem() {
        MultiLayerNetwork net = denseNet(2.0, 7);
        Random rng = new Random(8);
        INDArray x = smoothPoint(rng, new long[]{16, 6}, false);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 16, 6);
        INDArray batchMean = x.mean(0);
        INDArray batchNorm = LpNormalizationLayer.batchNorm(x, LpNormalization.Norm.L2);
        net.fit(new DataSet(x, y));

        INDArray runningMean = net.getLayer(0).getParam(LpNormalizationParamInitializer.RUNNING_MEAN);
        INDArray runningNorm = net.getLayer(0).getParam(LpNormalizationParamInitializer.RUNNING_NORM);
        for (int j = 0; j < 6; j++) {
            assertEquals(0.1 * batchMean.getDouble(j), runningMean.getDouble(j), 1e-12, "running mean " + j);
            assertEquals(0.9 + 0.1 * batchNorm.getDouble(j), runningNorm.getDouble(j), 1e-12, "running norm " + j);
        }
        INDArray gamma = net.getLayer(0).getParam(LpNormalizationParamInitializer.GAMMA);
        INDArray beta = net.getLayer(0).getParam(LpNormalizationParamInitializer.BETA);
        assertNotEquals(1.0, gamma.getDouble(0), "gamma should have been trained");
        INDArray eval = net.output(x, false);
        for (int j = 0; j < 6; j++) {
            double expected = (x.getDouble(3, j) - runningMean.getDouble(j))
                    / (runningNorm.getDouble(j) + LpNormalization.DEFAULT_EPS) * gamma.getDouble(j) + beta.getDouble(j);
            assertEquals(expected, eval.getDouble(3, j), 1e-12);
        }
        assertTrue(RunningStatistics.isStatistic(net.getLayer(0), LpNormalizationParamInitializer.RUNNING_NORM));
        assertFalse(RunningStatistics.isStatistic(net.getLayer(0), LpNormalizationParamInitializer.GAMMA));
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, Double.POSITIVE_INFINITY})
    void survivesJsonAndJavaSerialization(double p) throws Exception {
        MultiLayerNetwork net = convNet(p, 6);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        String json = conf.toJson();
        MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, fromJson);
        LpNormalization layer = (LpNormalization) fromJson.getConf(0).getLayer();
        assertEquals(p, layer.getP());
        assertEquals(2, layer.getNOut());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(conf);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(conf, in.readObject());
        }

        // whole model, with non-default running statistics, through DL4J's own model file
        Random rng = new Random(2);
        randomizeGammaBeta(net, rng);
        net.getLayer(0).getParam(LpNormalizationParamInitializer.RUNNING_NORM).assign(2.5);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, model, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model.toByteArray()));
        assertEquals(net.params(), restored.params());
        INDArray x = smoothPoint(rng, new long[]{2, 2, 3, 3}, true);
        assertEquals(net.output(x, false), restored.output(x, false));
        assertEquals(net.output(x, true), restored.output(x, true));
    }

    @Test
    void trainsInsideAFloatConvNetWithWorkspaces() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(21).dataType(DataType.FLOAT)
                .updater(new Sgd(0.05)).weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1)
                        .activation(Activation.IDENTITY).build())
                .layer(new LpNormalization.Builder(Double.POSITIVE_INFINITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer(Activation.RELU))
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(3).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(22);
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 2, 6, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        DataSet ds = new DataSet(x, y);
        double before = net.score(ds, true);
        INDArray convWeightsBefore = net.getLayer(0).getParam("W").dup();
        for (int step = 0; step < 20; step++) {
            net.fit(ds);
        }
        double after = net.score(ds, true);
        assertTrue(after < before, "loss " + before + " -> " + after);
        assertNotEquals(convWeightsBefore, net.getLayer(0).getParam("W"), "gradient must reach the conv layer");
        INDArray eval = net.output(x, false);
        assertFalse(eval.isNaN().any() || eval.isInfinite().any());
    }

    @Test
    void refusesOtherP() {
        assertThrows(BadInputException.class, () -> new LpNormalization.Builder(3.0));
    }
}
