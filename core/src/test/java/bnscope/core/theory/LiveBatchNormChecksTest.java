package bnscope.core.theory;

import bnscope.core.models.DeepLinearNetwork;
import bnscope.core.models.Variant;
import bnscope.core.models.VggBuilder;
import bnscope.core.probes.NetworkPass;
import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The theory checks on live DL4J networks: the gradient functions they differentiate (a pass
 * restarted at a BatchNorm layer, or just after it, with one unit's values replaced) are the true
 * gradients of the network's summed loss, and on small VGG-like and deep linear networks with
 * random γ, β every statement the paper claims holds while the printed 1/√m form of Theorem 4.1
 * fails.
 */
class LiveBatchNormChecksTest {
    private static final int BATCH = 8;

    @BeforeAll
    static void backend() {
        NativeBackend.configure();
    }

    /** A float32 VGG-style net as the training job builds it (conv 4, pool, conv 6, pool, dense 8), with random γ and β. */
    private static MultiLayerNetwork smallVgg(Variant variant, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.of("4,M,6,M", 8).variant(variant).seed(seed).build());
        net.init();
        randomizeGammaBeta(net, seed);
        return net;
    }

    private static void randomizeGammaBeta(MultiLayerNetwork net, long seed) {
        Random rng = new Random(seed);
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BatchNormalization) {
                INDArray gamma = layer.getParam(BatchNormalizationParamInitializer.GAMMA);
                INDArray beta = layer.getParam(BatchNormalizationParamInitializer.BETA);
                for (int j = 0; j < gamma.length(); j++) {
                    gamma.putScalar(j, (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble()));
                    beta.putScalar(j, 0.5 * rng.nextGaussian());
                }
            }
        }
    }

    private static DataSet images(long seed) {
        Random rng = new Random(seed);
        double[] x = new double[BATCH * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] y = new double[BATCH * 10];
        for (int i = 0; i < BATCH; i++) {
            y[i * 10 + rng.nextInt(10)] = 1;
        }
        return new DataSet(Nd4j.create(x, new long[]{BATCH, 3, 32, 32}, 'c').castTo(DataType.FLOAT),
                Nd4j.create(y, new long[]{BATCH, 10}, 'c').castTo(DataType.FLOAT));
    }

    /** Mean-loss score of a pass started at layer {@code from} with input {@code input}. */
    private static double score(NetworkPass pass, int from, INDArray input, INDArray labels) {
        return pass.run(from, input, labels).score();
    }

    @Test
    void restartedPassesDifferentiateTheNetworksSummedLossInOneUnit() {
        LiveBatchNormChecks checks = new LiveBatchNormChecks(smallVgg(Variant.NOISY_BATCHNORM, 11), 7);
        MultiLayerNetwork net = checks.network();
        DataSet batch = images(12);
        INDArray labels = batch.getLabels().castTo(DataType.DOUBLE);
        NetworkPass pass = new NetworkPass(net);
        List<INDArray> inputs = pass.layerInputs(batch.getFeatures().castTo(DataType.DOUBLE));
        Random rng = new Random(13);
        for (LiveBatchNormChecks.BatchNormSite site : checks.sites()) {
            int unit = site.units() - 1;
            for (int from : new int[]{site.dl4jIndex(), site.dl4jIndex() + 1}) { // y side, z side
                INDArray input = inputs.get(from);
                double[] values = BatchNormUnit.unitValues(input, unit);
                double[] grad = BatchNormUnit.unitValues(pass.run(from, input, labels).inputGradient(), unit);
                double[] d = new double[values.length];
                double spread = 0;
                for (int i = 0; i < d.length; i++) {
                    d[i] = rng.nextGaussian();
                    spread = Math.max(spread, Math.abs(values[i]));
                }
                double h = 1e-5 * spread / Math.sqrt(d.length);
                double[] plus = values.clone();
                double[] minus = values.clone();
                for (int i = 0; i < d.length; i++) {
                    plus[i] += h * d[i];
                    minus[i] -= h * d[i];
                }
                double slope = (score(pass, from, BatchNormUnit.withUnitValues(input, unit, plus), labels)
                        - score(pass, from, BatchNormUnit.withUnitValues(input, unit, minus), labels)) / (2 * h);
                // DL4J's score is the mean loss, its gradients are of the sum: a factor of the batch size
                assertEquals(BATCH * slope, Vectors.dot(grad, d), 1e-5 * Math.abs(BATCH * slope) + 1e-9,
                        site.layerName() + " unit " + unit + (from == site.dl4jIndex() ? " (y side)" : " (z side)"));
            }
        }
    }

    @Test
    void everyClaimedStatementHoldsOnASmallVggAndThePrintedOneFails() {
        for (Variant variant : List.of(Variant.BATCHNORM, Variant.NOISY_BATCHNORM)) {
            LiveBatchNormChecks checks = new LiveBatchNormChecks(smallVgg(variant, 21), 3);
            assertEquals(List.of("conv1_1", "conv2_1", "dense1"), checks.sites().stream()
                    .map(LiveBatchNormChecks.BatchNormSite::layerName).toList());
            LiveBatchNormChecks.Outcome outcome = checks.check(images(22), new LiveBatchNormChecks.Settings(3, 3,
                    LiveBatchNormChecks.DEFAULT_HESSIAN_STEP));
            assertEquals(List.of(), outcome.skipped());
            Map<TheoryIdentity, Integer> counts = new EnumMap<>(TheoryIdentity.class);
            int printedFails = 0;
            for (LiveBatchNormChecks.UnitCheck c : outcome.checks()) {
                counts.merge(c.identity(), 1, Integer::sum);
                String where = variant + " " + c.site().layerName() + " unit " + c.unit() + ": " + c.check();
                switch (c.identity()) {
                    case FACT_C1, THM41 -> assertTrue(c.check().relativeError() < 1e-10, where);
                    case THM42 -> assertTrue(c.check().relativeError() < 1e-5, where);
                    case THM41_PRINTED -> printedFails += c.check().holds(1e-9) ? 0 : 1;
                }
                int expectedSamples = switch (c.site().layerName()) {
                    case "conv1_1" -> BATCH * 32 * 32;
                    case "conv2_1" -> BATCH * 16 * 16;
                    default -> BATCH;
                };
                assertEquals(expectedSamples, c.samples(), where);
            }
            // layers of 4, 6 and 8 units are small: checked in full; Theorem 4.2 on the first 3 of each
            for (TheoryIdentity identity : TheoryIdentity.values()) {
                assertEquals(identity == TheoryIdentity.THM42 ? 9 : 18, counts.get(identity), variant + " " + identity);
            }
            assertTrue(printedFails >= 14, variant + ": the printed 1/sqrt(m) form should fail on most units, failed on "
                    + printedFails + " of 18");
        }
    }

    @Test
    void theCopyIsDoubleWithoutEpsilonAndTheTrainedNetworkIsUntouched() {
        MultiLayerNetwork trained = smallVgg(Variant.BATCHNORM, 31);
        INDArray before = trained.params().dup();
        LiveBatchNormChecks checks = new LiveBatchNormChecks(trained, 5);
        checks.check(images(32), LiveBatchNormChecks.Settings.defaults());
        assertEquals(before, trained.params());
        assertEquals(DataType.FLOAT, trained.params().dataType());
        assertEquals(DataType.DOUBLE, checks.network().params().dataType());
        for (int i = 0; i < trained.getLayers().length; i++) {
            if (trained.getLayer(i) instanceof BatchNormalization) {
                assertEquals(VggBuilder.BATCHNORM_EPS, ((org.deeplearning4j.nn.conf.layers.BatchNormalization)
                        trained.getLayer(i).conf().getLayer()).getEps());
                assertEquals(LiveBatchNormChecks.BATCHNORM_EPS, ((org.deeplearning4j.nn.conf.layers.BatchNormalization)
                        checks.network().getLayer(i).conf().getLayer()).getEps());
            }
        }
        assertEquals(5, checks.network().getIterationCount());
    }

    @Test
    void deepLinearNetworkUnitsAreDenseAndCheckedInFull() {
        MultiLayerNetwork trained = DeepLinearNetwork.builder().depth(4).width(5).normalization(Variant.BATCHNORM).seed(41)
                .build().network();
        randomizeGammaBeta(trained, 41);
        LiveBatchNormChecks checks = new LiveBatchNormChecks(trained, 0);
        assertEquals(3, checks.sites().size(), "BatchNorm after every linear layer but the last");
        Random rng = new Random(42);
        int m = 40;
        INDArray x = Nd4j.create(DataType.FLOAT, m, 5);
        INDArray t = Nd4j.create(DataType.FLOAT, m, 5);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < 5; j++) {
                x.putScalar(i, j, rng.nextGaussian());
                t.putScalar(i, j, rng.nextGaussian());
            }
        }
        LiveBatchNormChecks.Outcome outcome = checks.check(new DataSet(x, t), new LiveBatchNormChecks.Settings(2, 5,
                LiveBatchNormChecks.DEFAULT_HESSIAN_STEP));
        // width 5 <= SMALL_LAYER_UNITS: all 5 units of each of the 3 layers, despite units = 2
        assertEquals(3 * 5 * TheoryIdentity.values().length, outcome.checks().size());
        for (LiveBatchNormChecks.UnitCheck c : outcome.checks()) {
            assertEquals(m, c.samples());
            if (c.identity() != TheoryIdentity.THM41_PRINTED) {
                assertTrue(c.check().relativeError() < 1e-6, c.site().layerName() + " unit " + c.unit() + ": " + c.check());
            }
        }
    }
}
