package bnscope.core.layers;

import bnscope.core.BadInputException;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import scala.reflect.ClassTag$;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class NoisyBatchNormTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    // ---------------------------------------------------------------- the noise law (Algorithm 1)

    @Test
    void convNoiseFollowsAlgorithmOnePerChannelWithSpaceAsBatch() {
        int n = 32, c = 24, h = 16, w = 16;
        NoisyBatchNormLayer layer = instantiate(new NoisyBatchNorm.Builder(11).generator(NoiseGenerator.ND4J).build(), 3, DataType.FLOAT);
        layer.setIterationCount(7);
        INDArray m = layer.activate(Nd4j.zeros(DataType.FLOAT, n, c, h, w), true, NO_WS).dup();
        INDArray s = layer.activate(Nd4j.ones(DataType.FLOAT, n, c, h, w), true, NO_WS).dup().subi(m);

        // The unit draws behind this layer's noise at (seed 11, index 3, iteration 7).
        INDArray sRef = Nd4j.create(DataType.FLOAT, n, c, h, w);
        INDArray mRef = Nd4j.create(DataType.FLOAT, n, c, h, w);
        DistributionShift.UnitDraw units = DistributionShift.fill(
                new NoisyBatchNorm.Builder(11).generator(NoiseGenerator.ND4J).build().noiseParameters(), DistributionShift.drawSeed(11, 3, 7), sRef, mRef);
        assertEquals(mRef, m, "the layer's m is the documented draw");
        assertTrue(s.equalsWithEps(sRef, 1e-5), "the layer's s is the documented draw");

        checkAgainstSpec(perUnit(m), perUnit(s), units, (long) n * h * w);
    }

    @Test
    void denseNoiseFollowsAlgorithmOnePerUnit() {
        int n = 8192, units = 16;
        NoisyBatchNormLayer layer = instantiate(new NoisyBatchNorm.Builder(5).generator(NoiseGenerator.ND4J).build(), 2, DataType.FLOAT);
        layer.setIterationCount(123);
        INDArray m = layer.activate(Nd4j.zeros(DataType.FLOAT, n, units), true, NO_WS).dup();
        INDArray s = layer.activate(Nd4j.ones(DataType.FLOAT, n, units), true, NO_WS).dup().subi(m);
        INDArray sRef = Nd4j.create(DataType.FLOAT, n, units);
        INDArray mRef = Nd4j.create(DataType.FLOAT, n, units);
        DistributionShift.UnitDraw draw = DistributionShift.fill(
                new NoisyBatchNorm.Builder(5).generator(NoiseGenerator.ND4J).build().noiseParameters(), DistributionShift.drawSeed(5, 2, 123), sRef, mRef);
        assertEquals(mRef, m);
        checkAgainstSpec(perUnit(m), perUnit(s), draw, n);
    }

    /** μ_j, σ_j over many draws cover U(−0.5, 0.5) and U(1, 1.25). */
    @Test
    void unitDrawsAreUniformOverTheirRanges() {
        DistributionShift.Parameters p = new NoisyBatchNorm.Builder(0).build().noiseParameters();
        List<Double> mus = new ArrayList<>();
        List<Double> sigmas = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            INDArray s = Nd4j.create(DataType.FLOAT, 2, 32);
            INDArray m = Nd4j.create(DataType.FLOAT, 2, 32);
            DistributionShift.UnitDraw d = DistributionShift.fill(p, DistributionShift.drawSeed(99, 4, t), s, m);
            for (double v : d.unitMeans().toDoubleVector()) mus.add(v);
            for (double v : d.unitScales().toDoubleVector()) sigmas.add(v);
        }
        assertUniform(mus, -0.5, 0.5);
        assertUniform(sigmas, 1.0, 1.25);
    }

    /** Arrays in any memory layout get the per-channel shift on the right channel. */
    @Test
    void unitDrawsLandOnTheirChannelInAnyLayout() {
        DistributionShift.Parameters p = new NoisyBatchNorm.Builder(0).build().noiseParameters();
        for (char order : new char[]{'c', 'f'}) {
            INDArray s = Nd4j.create(DataType.FLOAT, new long[]{64, 12, 4, 4}, order);
            INDArray m = Nd4j.create(DataType.FLOAT, new long[]{64, 12, 4, 4}, order);
            DistributionShift.UnitDraw d = DistributionShift.fill(p, 17, s, m);
            double[][] mRows = perUnit(m), sRows = perUnit(s);
            double[] mu = d.unitMeans().toDoubleVector(), sigma = d.unitScales().toDoubleVector();
            for (int j = 0; j < 12; j++) {
                assertTrue(min(mRows[j]) >= mu[j] - 0.1 - 1e-6 && max(mRows[j]) <= mu[j] + 0.1 + 1e-6, order + " channel " + j);
                assertEquals(sigma[j], mean(sRows[j]), 0.02, order + " channel " + j);
            }
        }
    }

    @Test
    void customMagnitudesAreUsed() {
        NoisyBatchNorm conf = new NoisyBatchNorm.Builder(3).nMu(2).nSigma(3).rMu(0.5).rSigma(0.3).build();
        NoisyBatchNormLayer layer = instantiate(conf, 0, DataType.FLOAT);
        int n = 20000;
        INDArray m = layer.activate(Nd4j.zeros(DataType.FLOAT, n, 8), true, NO_WS).dup();
        INDArray s = layer.activate(Nd4j.ones(DataType.FLOAT, n, 8), true, NO_WS).dup().subi(m);
        double[][] mRows = perUnit(m), sRows = perUnit(s);
        for (int j = 0; j < 8; j++) {
            double muHat = (min(mRows[j]) + max(mRows[j])) / 2;
            assertTrue(Math.abs(muHat) <= 2.0 + 1e-3, "mu_j within n_mu=2: " + muHat);
            assertEquals(1.0, max(mRows[j]) - min(mRows[j]), 0.01, "m spans 2 r_mu = 1");
            double sigmaHat = mean(sRows[j]);
            assertTrue(sigmaHat > 1 - 0.01 && sigmaHat < 3 + 0.01, "sigma_j within [1, n_sigma=3]: " + sigmaHat);
            assertEquals(0.3, std(sRows[j], sigmaHat), 0.01, "r_sigma is the standard deviation of s");
        }
    }

    @Test
    void invalidMagnitudesAreRejected() {
        assertThrows(BadInputException.class, () -> new NoisyBatchNorm.Builder(1).nSigma(0.9).build());
        assertThrows(BadInputException.class, () -> new NoisyBatchNorm.Builder(1).nMu(-0.1).build());
        assertThrows(BadInputException.class, () -> new NoisyBatchNorm.Builder(1).rMu(Double.NaN).build());
        BadInputException e = assertThrows(BadInputException.class, () -> new NoisyBatchNorm.Builder(1).rSigma(-1).build());
        assertTrue(e.getMessage().contains("r_sigma"), e.getMessage());
    }

    // ---------------------------------------------------------------- evaluation and backprop

    @Test
    void evaluationIsTheIdentity() {
        NoisyBatchNormLayer layer = instantiate(new NoisyBatchNorm.Builder(1).build(), 1, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 5, 5).subi(0.5);
        INDArray out = layer.activate(x.dup(), false, NO_WS);
        assertEquals(x, out);
        INDArray trainOut = layer.activate(x.dup(), true, NO_WS);
        assertNotEquals(x, trainOut, "training pass must add noise");
    }

    @Test
    void backpropMultipliesByTheDrawnScale() {
        NoisyBatchNormLayer layer = instantiate(new NoisyBatchNorm.Builder(8).build(), 4, DataType.DOUBLE);
        layer.setIterationCount(3);
        long[] shape = {6, 5, 4, 4};
        INDArray m = layer.activate(Nd4j.zeros(DataType.DOUBLE, shape), true, NO_WS).dup();
        INDArray s = layer.activate(Nd4j.ones(DataType.DOUBLE, shape), true, NO_WS).dup().subi(m);

        INDArray x = Nd4j.randn(DataType.DOUBLE, shape);
        INDArray out = layer.activate(x, true, NO_WS).dup();
        assertTrue(out.equalsWithEps(x.mul(s).addi(m), 1e-12), "forward is s*a + m");
        INDArray eps = Nd4j.randn(DataType.DOUBLE, shape);
        INDArray grad = layer.backpropGradient(eps, NO_WS).getSecond();
        assertTrue(grad.equalsWithEps(eps.mul(s), 1e-12), "dL/da = s * dL/dout");
    }

    /** DL4J's finite-difference check through dense -> BatchNorm -> noise -> ReLU -> softmax. */
    @Test
    void networkGradientsPassFiniteDifferenceCheck() {
        Nd4j.getRandom().setSeed(12345);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12345)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new NoisyBatchNorm.Builder(77).build())
                .layer(new ActivationLayer(Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        NoisyBatchNorm.setIteration(net, 5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 10, 4);
        INDArray y = oneHot(10, 3, 1, DataType.DOUBLE);
        DataType globalType = Nd4j.dataType();
        DataType globalFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE); // GradientCheckUtil insists
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                    .excludeParams(Set.of("1_mean", "1_var", "1_log10stdev")));
            assertTrue(ok, "finite-difference gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(globalType, globalFloatType);
        }
    }

    // ---------------------------------------------------------------- determinism

    @Test
    void noiseIsAPureFunctionOfSeedLayerIndexAndIteration() {
        long[] shape = {4, 6, 3, 3};
        INDArray zeros = Nd4j.zeros(DataType.FLOAT, shape);
        INDArray a = draw(1, 2, 10, zeros);
        assertEquals(a, draw(1, 2, 10, zeros), "same key, same noise");
        assertNotEquals(a, draw(1, 2, 11, zeros), "next iteration, new noise");
        assertNotEquals(a, draw(1, 3, 10, zeros), "other layer, other noise");
        assertNotEquals(a, draw(2, 2, 10, zeros), "other seed, other noise");
        // The global ND4J stream is neither used nor disturbed.
        Nd4j.getRandom().setSeed(42);
        double before = Nd4j.getRandom().nextDouble();
        Nd4j.getRandom().setSeed(42);
        draw(1, 2, 10, zeros);
        assertEquals(before, Nd4j.getRandom().nextDouble());
    }

    @Test
    void gradientsAtAFixedIterationRepeatAndMatchTheTrainingStep() {
        MultiLayerNetwork net = new MultiLayerNetwork(smallConvNet(3));
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 8, 8);
        INDArray y = oneHot(16, 10, 7, DataType.FLOAT);
        net.fit(x, y); // iteration 0
        net.fit(x, y); // iteration 1
        assertEquals(2, net.getIterationCount());
        INDArray params = net.params().dup();

        // What a probe does at step t = 2: align the layers, recompute, twice.
        NoisyBatchNorm.setIteration(net, 2);
        INDArray g1 = flat(net.calculateGradients(x, y, null, null).getFirst());
        INDArray g2 = flat(net.calculateGradients(x, y, null, null).getFirst());
        assertEquals(g1, g2, "gradients at a fixed iteration must repeat exactly");
        NoisyBatchNorm.setIteration(net, 3);
        assertNotEquals(g1, flat(net.calculateGradients(x, y, null, null).getFirst()), "noise must change with the iteration");
        assertEquals(params, net.params(), "calculateGradients leaves the parameters alone");

        // The training step at t = 2 sees exactly the gradient the probe computed.
        NoisyBatchNorm.setIteration(net, 2);
        List<INDArray> seen = new ArrayList<>();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void onGradientCalculation(Model model) {
                seen.add(model.gradient().gradient().dup());
            }
        });
        net.fit(x, y);
        assertEquals(1, seen.size());
        assertEquals(g1, seen.get(0), "fit at iteration 2 uses the noise of iteration 2");
        assertEquals(3, net.getIterationCount());
    }

    /** Loss probes evaluate in training mode (batch statistics); the noise must repeat there too. */
    @Test
    void trainingModeOutputAndScoreRepeatAtAFixedIteration() {
        MultiLayerNetwork net = new MultiLayerNetwork(smallConvNet(4));
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 8, 8);
        INDArray y = oneHot(16, 10, 3, DataType.FLOAT);
        NoisyBatchNorm.setIteration(net, 40);
        INDArray out = net.output(x, true).dup();
        assertEquals(out, net.output(x, true));
        assertNotEquals(out, net.output(x, false), "evaluation has no noise (and uses running statistics)");
        org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(x, y);
        double score = net.score(batch, true);
        assertEquals(score, net.score(batch, true));
        NoisyBatchNorm.setIteration(net, 41);
        assertNotEquals(score, net.score(batch, true));
    }

    // ---------------------------------------------------------------- serialization

    @Test
    void configurationSurvivesJsonRoundTrip() {
        MultiLayerConfiguration conf = smallConvNet(-9_000_000_000L);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        NoisyBatchNorm noisy = (NoisyBatchNorm) back.getConf(2).getLayer();
        assertEquals(-9_000_000_000L, noisy.getSeed());
        assertEquals(0.7, noisy.getMeanSpread());
        assertEquals(1.5, noisy.getScaleMax());
        assertEquals(0.2, noisy.getMeanJitter());
        assertEquals(0.05, noisy.getScaleJitter());
        assertNotEquals(conf, smallConvNet(1), "equality must see the seed");
    }

    @Test
    void configurationSurvivesJavaAndKryoSerialization() throws Exception {
        MultiLayerConfiguration conf = smallConvNet(31);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(conf);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(conf, in.readObject());
        }
        SerializerInstance kryo = new KryoSerializer(new SparkConf()).newInstance();
        ByteBuffer buffer = kryo.serialize(conf, ClassTag$.MODULE$.apply(MultiLayerConfiguration.class));
        Object back = kryo.deserialize(buffer, ClassTag$.MODULE$.apply(MultiLayerConfiguration.class));
        assertEquals(conf, back);
    }

    // ---------------------------------------------------------------- helpers

    private static MultiLayerConfiguration smallConvNet(long noiseSeed) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new NoisyBatchNorm.Builder(noiseSeed).nMu(0.7).nSigma(1.5).rMu(0.2).rSigma(0.05).build())
                .layer(new ActivationLayer(Activation.RELU))
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
    }

    private static NoisyBatchNormLayer instantiate(NoisyBatchNorm layerConf, int index, DataType type) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).layer(layerConf).build();
        return (NoisyBatchNormLayer) conf.getLayer().instantiate(conf, List.of(), index, null, false, type);
    }

    private static INDArray draw(long seed, int index, int iteration, INDArray input) {
        NoisyBatchNormLayer layer = instantiate(new NoisyBatchNorm.Builder(seed).build(), index, DataType.FLOAT);
        layer.setIterationCount(iteration);
        return layer.activate(input.dup(), true, NO_WS).dup();
    }

    private static void checkAgainstSpec(double[][] m, double[][] s, DistributionShift.UnitDraw units, long perUnit) {
        double[] mu = units.unitMeans().toDoubleVector();
        double[] sigma = units.unitScales().toDoubleVector();
        assertEquals(m.length, mu.length);
        for (int j = 0; j < mu.length; j++) {
            assertEquals(perUnit, m[j].length);
            assertTrue(mu[j] >= -0.5 && mu[j] <= 0.5, "mu_j in [-n_mu, n_mu]: " + mu[j]);
            assertTrue(sigma[j] >= 1 && sigma[j] <= 1.25, "sigma_j in [1, n_sigma]: " + sigma[j]);
            assertTrue(min(m[j]) >= mu[j] - 0.1 - 1e-6 && max(m[j]) <= mu[j] + 0.1 + 1e-6, "m within mu_j +- r_mu");
            // U(mu_j - 0.1, mu_j + 0.1): mean mu_j, sd 0.1/sqrt(3), and it fills the whole interval.
            assertEquals(mu[j], mean(m[j]), 0.003);
            assertEquals(0.1 / Math.sqrt(3), std(m[j], mu[j]), 0.003);
            assertEquals(0.2, max(m[j]) - min(m[j]), 0.005);
            // N(sigma_j, 0.1): mean sigma_j, standard deviation r_sigma = 0.1.
            assertEquals(sigma[j], mean(s[j]), 0.005);
            assertEquals(0.1, std(s[j], sigma[j]), 0.005);
        }
        assertTrue(max(mu) - min(mu) > 0.2, "mu_j must differ between units: " + Arrays.toString(mu));
        assertTrue(max(sigma) - min(sigma) > 0.05, "sigma_j must differ between units: " + Arrays.toString(sigma));
    }

    private static void assertUniform(List<Double> values, double lo, double hi) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        double width = hi - lo;
        assertTrue(min(v) >= lo && max(v) <= hi, "within [" + lo + ", " + hi + "]");
        assertTrue(min(v) < lo + 0.01 * width && max(v) > hi - 0.01 * width, "covers the interval");
        assertEquals((lo + hi) / 2, mean(v), 0.03 * width);
        assertEquals(width / Math.sqrt(12), std(v, mean(v)), 0.03 * width);
    }

    /** Rows of all values of each unit (axis 1), with samples and positions pooled. */
    private static double[][] perUnit(INDArray x) {
        long units = x.size(1);
        INDArray unitsFirst = x.rank() == 4 ? x.permute(1, 0, 2, 3) : x.permute(1, 0);
        INDArray rows = unitsFirst.dup('c').reshape(units, -1).castTo(DataType.DOUBLE);
        double[][] out = new double[(int) units][];
        for (int j = 0; j < units; j++) {
            out[j] = rows.getRow(j).toDoubleVector();
        }
        return out;
    }

    private static INDArray flat(Gradient g) {
        return g.gradient().dup();
    }

    private static INDArray oneHot(int n, int classes, long seed, DataType type) {
        java.util.Random r = new java.util.Random(seed);
        INDArray y = Nd4j.zeros(type, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static double std(double[] v, double around) {
        return Math.sqrt(Arrays.stream(v).map(d -> (d - around) * (d - around)).sum() / v.length);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }
}
