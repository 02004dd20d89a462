package bnscope.core.probes;

import bnscope.core.BadInputException;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SharpnessProbeTest {

    private static ProbeSettings.Sharpness settings(int k, int iterations, int traceSamples, boolean perLayer) {
        return new ProbeSettings.Sharpness(true, ProbeSchedule.every(1), k, iterations, 1e-10, traceSamples, perLayer, List.of(),
                ProbeSettings.Sharpness.DEFAULT_FD_STEP);
    }

    private static void assertTopEigenvalues(double[] exact, List<SharpnessProbe.Measurement> measured, int k) {
        assertEquals(k, measured.size());
        for (int i = 0; i < k; i++) {
            double e = exact[i];
            double got = measured.get(i).eigenvalue();
            assertEquals(e, got, 1e-4 * Math.abs(e), "λ" + (i + 1) + ": exact " + e + ", probe " + got);
            assertTrue(measured.get(i).residual() < 1e-4, "λ" + (i + 1) + " residual " + measured.get(i).residual());
        }
    }

    private static List<SharpnessProbe.Measurement> probe(MultiLayerNetwork net, DataSet batch, ProbeSettings.Sharpness settings,
                                                          ParameterBlock block) {
        StepSnapshot s = HessianNets.snapshot(net, batch, 7);
        return new SharpnessProbe(settings).measure(new FiniteDifferenceHessian(s, settings.fdStep()), block, 7, 0);
    }

    /**
     * L(w, b) = (1/n) Σ (wᵀxᵢ + b − yᵢ)² (DL4J's MSE with one output, mean over the batch) has the
     * Hessian (2/n) Σ zᵢzᵢᵀ with zᵢ = (xᵢ, 1): the products and eigenvalues are checked against it.
     */
    @Test
    void quadraticLossMatchesTheAnalyticalHessian() {
        NativeBackend.configure();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(6)).build());
        net.init();
        int n = 32;
        DataSet batch = HessianNets.batch(11, n, 6, 1, false);
        double[][] x = batch.getFeatures().toDoubleMatrix();
        double[][] exact = new double[7][7];
        for (double[] xi : x) {
            double[] z = {xi[0], xi[1], xi[2], xi[3], xi[4], xi[5], 1};
            for (int a = 0; a < 7; a++) {
                for (int b = 0; b < 7; b++) {
                    exact[a][b] += 2.0 / n * z[a] * z[b];
                }
            }
        }
        StepSnapshot s = HessianNets.snapshot(net, batch.copy(), 7);
        FiniteDifferenceHessian hessian = new FiniteDifferenceHessian(s, 1e-5);
        assertEquals(7, hessian.dimension());
        // W first (DL4J's flat order), then b: the same order as z.
        double[] v = {0.3, -1.2, 0.5, 2.0, -0.7, 0.1, 0.9};
        double[] hv = hessian.product(v, 1.0);
        double[] expected = new Array2DRowRealMatrix(exact).operate(v);
        for (int i = 0; i < 7; i++) {
            assertEquals(expected[i], hv[i], 1e-9 * Math.abs(expected[i]) + 1e-12, "(Hv)_" + i);
        }
        assertEquals(2, hessian.gradients(), "a product is two gradient passes");

        double[] eigen = HessianNets.eigenvaluesDescending(exact);
        ProbeSettings.Sharpness cfg = settings(3, 7, 400, false);
        List<SharpnessProbe.Measurement> m = new SharpnessProbe(cfg).measure(hessian, ParameterBlock.global(s.layers()), 7, 0);
        assertTopEigenvalues(eigen, m, 3);
        for (SharpnessProbe.Measurement r : m) {
            assertEquals(eigen[r.rank() - 1], r.eigenvalue(), 1e-8 * eigen[0]);
        }
        RealMatrix a = new Array2DRowRealMatrix(exact);
        double trace = a.getTrace();
        HutchinsonTrace t = m.get(0).trace();
        assertEquals(400, t.samples());
        assertTrue(t.standardError() > 0 && t.standardError() < 0.2 * trace, "se " + t.standardError());
        assertEquals(trace, t.trace(), 4 * t.standardError(), "Hutchinson trace " + t.trace() + " ± " + t.standardError());
        // Lanczos (≤ 7) + 3 residual checks + 400 trace samples
        assertTrue(m.get(0).products() <= 7 + 3 + 400 && m.get(0).products() >= 3 + 3 + 400, "products " + m.get(0).products());
    }

    @Test
    void threeLayerLinearNetworkMatchesTheFullHessian() {
        MultiLayerNetwork net = HessianNets.linear3(5);
        DataSet batch = HessianNets.batch(6, 20, 5, 2, false);
        double[] exact = HessianNets.eigenvaluesDescending(HessianNets.hessian(net, batch));
        ProbeSettings.Sharpness cfg = settings(4, 40, 0, false);
        StepSnapshot s = HessianNets.snapshot(net, batch, 7);
        assertTopEigenvalues(exact, probe(net, batch, cfg, ParameterBlock.global(s.layers())), 4);
        assertTrue(exact[exact.length - 1] < -1e-3 * exact[0], "the linear net's Hessian is indefinite: "
                + exact[exact.length - 1] + " — the top eigenvalues are not the largest magnitudes' job");
    }

    @Test
    void mlpWithoutBatchNormMatchesTheFullHessian() {
        MultiLayerNetwork net = HessianNets.mlp(8, false);
        DataSet batch = HessianNets.batch(9, 24, 6, 3, true);
        double[] exact = HessianNets.eigenvaluesDescending(HessianNets.hessian(net, batch));
        StepSnapshot s = HessianNets.snapshot(net, batch, 7);
        assertTopEigenvalues(exact, probe(net, batch, settings(5, 60, 0, false), ParameterBlock.global(s.layers())), 5);
    }

    @Test
    void mlpWithBatchNormMatchesTheFullHessianAndItsLayerBlocks() {
        MultiLayerNetwork net = HessianNets.mlp(10, true);
        net.fit(HessianNets.batch(12, 24, 6, 3, true)); // moves gamma/beta and the running statistics off their initial values
        DataSet batch = HessianNets.batch(13, 24, 6, 3, true);
        double[][] full = HessianNets.hessian(net, batch);
        StepSnapshot s = HessianNets.snapshot(net, batch, 7);
        ProbeSettings.Sharpness cfg = settings(3, 60, 0, true);
        SharpnessProbe probe = new SharpnessProbe(cfg);
        List<ParameterBlock> blocks = probe.blocks(s.layers());
        assertEquals(List.of("global", "layer", "layer", "layer"), blocks.stream().map(ParameterBlock::which).toList());
        FiniteDifferenceHessian hessian = new FiniteDifferenceHessian(s, cfg.fdStep());
        assertEquals(full.length, hessian.dimension(), "gamma and beta are in the Hessian, running statistics are not");
        for (ParameterBlock block : blocks) {
            double[] exact = HessianNets.eigenvaluesDescending(HessianNets.sub(full, block));
            int k = Math.min(3, block.dimension());
            assertTopEigenvalues(exact, probe.measure(hessian, block, 7, 0), k);
        }
        assertEquals(6 * 5 + 5, blocks.get(1).dimension(), "layer 1's block is its own W and b");
    }

    @Test
    void lanczosFindsTheTopOfAnIndefiniteSpectrumAndReportsConvergence() {
        int n = 50;
        double[] diagonal = new double[n];
        for (int i = 0; i < n; i++) {
            diagonal[i] = i < 3 ? 10 - i : -20 + 0.1 * i; // the largest magnitudes are negative
        }
        Lanczos.Result r = Lanczos.top(v -> {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = diagonal[i] * v[i];
            }
            return out;
        }, n, 3, 50, 1e-10, new SplittableRandom(1));
        assertEquals(10, r.pairs().get(0).value(), 1e-9);
        assertEquals(9, r.pairs().get(1).value(), 1e-9);
        assertEquals(8, r.pairs().get(2).value(), 1e-9);
        assertTrue(r.products() <= 50);
        for (Lanczos.RitzPair p : r.pairs()) {
            assertTrue(p.iterations() >= 3 && p.iterations() <= r.products(), "iterations " + p.iterations());
        }
    }

    @Test
    void rowsCarryTheStepKeyAndOneRowPerEigenvaluePerBlock() {
        MultiLayerNetwork net = HessianNets.mlp(14, true);
        DataSet batch = HessianNets.batch(15, 16, 6, 3, true);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeSettings.Sharpness cfg = new ProbeSettings.Sharpness(true, ProbeSchedule.every(1), 2, 20, 1e-6, 3, true, List.of(3), 1e-5);
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none(), List.of(new SharpnessProbe(cfg))), batch, sink);
        List<GenericRecord> rows = sink.rows(SnapshotTables.SHARPNESS);
        assertEquals(4, rows.size());
        assertEquals(List.of("global", "global", "layer", "layer"), rows.stream().map(r -> r.get("which").toString()).toList());
        assertEquals(List.of(0, 0, 3, 3), rows.stream().map(r -> (int) r.get("layer")).toList());
        assertEquals(List.of(1, 2, 1, 2), rows.stream().map(r -> (int) r.get("k")).toList());
        for (GenericRecord r : rows) {
            assertEquals(0L, (long) r.get("step"));
            assertEquals(3, (int) r.get("trace_samples"));
            assertTrue(Double.isFinite((double) r.get("trace")) && Double.isFinite((double) r.get("trace_se")));
            assertTrue((int) r.get("hvp_count") >= 2 + 2 + 3);
        }
        assertTrue((double) rows.get(0).get("eigenvalue") >= (double) rows.get(1).get("eigenvalue"));
        assertEquals(4L * 3 + 3, (long) rows.get(2).get("parameters"), "layer 3 is the output layer: W 4x3 and b 3");
    }
    @Test
    void probeChangesNothingBatchNormStatisticsIncluded() {
        ProbeSettings.Sharpness cfg = new ProbeSettings.Sharpness(true, ProbeSchedule.every(1), 2, 8, 1e-3, 2, true, List.of(1), 1e-5);
        MultiLayerNetwork plain = ProbeNets.convBn(DataType.FLOAT, 21);
        MultiLayerNetwork probed = ProbeNets.convBn(DataType.FLOAT, 21);
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(new SharpnessProbe(cfg)));
        MemorySnapshotSink sink = new MemorySnapshotSink();
        for (int step = 0; step < 4; step++) {
            DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 400 + step, 16, 8);
            plain.fit(batch);
            ProbeNets.observedStep(probed, observer, batch, sink);
            assertEquals(plain.score(), probed.score(), "loss at step " + step);
            assertEquals(plain.params(), probed.params(), "params (running statistics included) after step " + step);
            assertEquals(plain.getFlattenedGradients(), probed.getFlattenedGradients(), "gradient view after step " + step);
            assertEquals(plain.getIterationCount(), probed.getIterationCount());
        }
        for (String stat : List.of("1_mean", "1_var", "5_mean", "5_var")) {
            assertEquals(plain.paramTable().get(stat), probed.paramTable().get(stat), stat);
        }
        assertEquals(4 * (2 + 2), sink.rows(SnapshotTables.SHARPNESS).size(), "2 eigenvalues of the global block and of layer 1, 4 steps");
    }

    @Test
    void probeChangesNothingInFusedNoisyBatchNormTraining() {
        NativeBackend.configure();
        ProbeSettings.Sharpness cfg = new ProbeSettings.Sharpness(true, ProbeSchedule.every(1), 1, 5, 1e-3, 1, false, List.of(), 1e-5);
        MultiLayerNetwork plain = fusedNoisy();
        MultiLayerNetwork probed = fusedNoisy();
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(new SharpnessProbe(cfg)));
        MemorySnapshotSink sink = new MemorySnapshotSink();
        for (int step = 0; step < 3; step++) {
            DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 600 + step, 8, 32);
            plain.fit(batch);
            ProbeNets.observedStep(probed, observer, batch, sink);
            assertEquals(plain.score(), probed.score(), "loss at step " + step);
            assertEquals(plain.params(), probed.params(), "params after step " + step);
        }
        for (GenericRecord r : sink.rows(SnapshotTables.SHARPNESS)) {
            assertTrue(Double.isFinite((double) r.get("eigenvalue")), "eigenvalue " + r);
        }
    }

    private static MultiLayerNetwork fusedNoisy() {
        MultiLayerNetwork net = new MultiLayerNetwork(bnscope.core.models.VggBuilder.of("4,M,6", 8)
                .variant(bnscope.core.models.Variant.NOISY_BATCHNORM)
                .implementation(bnscope.core.models.Implementation.FUSED).seed(42).build());
        net.init();
        return net;
    }
    @Test
    void badSettingsNameTheirKey() {
        ProbeSchedule each = ProbeSchedule.every(1);
        BadInputException fewer = assertThrows(BadInputException.class,
                () -> new ProbeSettings.Sharpness(true, each, 5, 3, 1e-3, 0, false, List.of(), 1e-5));
        assertTrue(fewer.getMessage().contains("probe.sharpness.iterations") && fewer.getMessage().contains("probe.sharpness.k (5)"),
                fewer.getMessage());
        BadInputException step = assertThrows(BadInputException.class,
                () -> new ProbeSettings.Sharpness(true, each, 1, 3, 1e-3, 0, false, List.of(), 0.5));
        assertTrue(step.getMessage().contains("probe.sharpness.fd_step"), step.getMessage());
        BadInputException layer = assertThrows(BadInputException.class,
                () -> new ProbeSettings.Sharpness(true, each, 1, 3, 1e-3, 0, true, List.of(0), 1e-5));
        assertTrue(layer.getMessage().contains("probe.sharpness.layers"), layer.getMessage());
        ProbeSettings.Sharpness tooFar = new ProbeSettings.Sharpness(true, each, 1, 3, 1e-3, 0, true, List.of(9), 1e-5);
        BadInputException missing = assertThrows(BadInputException.class,
                () -> new SharpnessProbe(tooFar).blocks(WeightLayers.of(HessianNets.mlp(1, false))));
        assertTrue(missing.getMessage().contains("probe.sharpness.layers lists weight layer 9"), missing.getMessage());
    }
    /**
     * Regression: with a step of 1e-5 (the smooth-loss optimum, the first default) the products on a
     * ReLU/max-pool VGG straddle kinks and λ₁ came out 6× too large with residual 0.5 in a real run.
     * The default step gives small residuals and the same eigenvalues as steps 10× larger and smaller.
     */
    @Test
    void reluNetworkEigenvaluesAreStableAcrossStepsAroundTheDefault() {
        StepSnapshot s = smallVggSnapshot();
        double h = ProbeSettings.Sharpness.DEFAULT_FD_STEP;
        List<SharpnessProbe.Measurement> atDefault = measureWithStep(s, h);
        for (SharpnessProbe.Measurement m : atDefault) {
            assertTrue(m.residual() < 1e-5, "λ" + m.rank() + " residual " + m.residual() + " at the default step");
        }
        for (double other : new double[]{10 * h, h / 10}) {
            List<SharpnessProbe.Measurement> m = measureWithStep(s, other);
            for (int i = 0; i < 2; i++) {
                assertEquals(atDefault.get(i).eigenvalue(), m.get(i).eigenvalue(), 1e-6 * atDefault.get(i).eigenvalue(), "λ" + (i + 1) + " at step " + other);
            }
        }
        List<SharpnessProbe.Measurement> coarse = measureWithStep(s, 1e-5);
        assertTrue(coarse.get(0).residual() > 0.1, "a step of 1e-5 straddles ReLU kinks here: residual " + coarse.get(0).residual());
    }

    /**
     * A measurement whose residual says it is unreliable (a step of 1e-5 straddles kinks on this VGG)
     * is redone with steps ten times smaller until it is reliable: the same λ₁, λ₂ as at the default
     * step, the smaller step in the rows, and the products of every attempt counted.
     */
    @Test
    void anUnreliableMeasurementIsRedoneWithSmallerSteps() {
        StepSnapshot s = smallVggSnapshot();
        ParameterBlock global = ParameterBlock.global(s.layers());
        List<SharpnessProbe.Measurement> coarse = measureWithStep(s, 1e-5);
        assertTrue(coarse.get(0).residual() > SharpnessProbe.RELIABLE_RESIDUAL, "residual " + coarse.get(0).residual() + " at 1e-5");
        List<SharpnessProbe.Measurement> redone = new SharpnessProbe(settingsWithStep(1e-5)).measureReliably(new FiniteDifferenceHessian(s, 1e-5), global, 7, 0);
        List<SharpnessProbe.Measurement> atDefault = measureWithStep(s, ProbeSettings.Sharpness.DEFAULT_FD_STEP);
        for (int i = 0; i < 2; i++) {
            assertTrue(redone.get(i).residual() <= SharpnessProbe.RELIABLE_RESIDUAL, "λ" + (i + 1) + " residual " + redone.get(i).residual());
            assertEquals(atDefault.get(i).eigenvalue(), redone.get(i).eigenvalue(), 1e-5 * atDefault.get(i).eigenvalue(), "λ" + (i + 1));
        }
        double stepRatio = redone.get(0).step() / coarse.get(0).step();
        assertTrue(stepRatio <= 0.1 * (1 + 1e-9), "the step went from 1e-5 to " + 1e-5 * stepRatio);
        assertTrue(redone.get(0).products() > coarse.get(0).products(), redone.get(0).products() + " products, the first attempt alone "
                + coarse.get(0).products());
        // a reliable first attempt is kept as it is
        List<SharpnessProbe.Measurement> kept = new SharpnessProbe(settingsWithStep(ProbeSettings.Sharpness.DEFAULT_FD_STEP))
                .measureReliably(new FiniteDifferenceHessian(s, ProbeSettings.Sharpness.DEFAULT_FD_STEP), global, 7, 0);
        assertEquals(atDefault, kept);
    }

    /** A 2-conv-layer VGG (ReLU, max-pooling) after 3 SGD steps, and the snapshot of a 4th step at batch 16. */
    private static StepSnapshot smallVggSnapshot() {
        NativeBackend.configure();
        MultiLayerNetwork net = new MultiLayerNetwork(bnscope.core.models.VggBuilder.of("4,M,8,M", 16)
                .variant(bnscope.core.models.Variant.STANDARD).implementation(bnscope.core.models.Implementation.FUSED).seed(42).build());
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(ProbeNets.imageBatch(DataType.FLOAT, 70 + i, 16, 32));
        }
        return HessianNets.snapshot(net, ProbeNets.imageBatch(DataType.FLOAT, 80, 16, 32), 7);
    }

    private static ProbeSettings.Sharpness settingsWithStep(double h) {
        return new ProbeSettings.Sharpness(true, ProbeSchedule.every(1), 2, 40, 1e-6, 0, false, List.of(), h);
    }

    private static List<SharpnessProbe.Measurement> measureWithStep(StepSnapshot s, double h) {
        return new SharpnessProbe(settingsWithStep(h)).measure(new FiniteDifferenceHessian(s, h), ParameterBlock.global(s.layers()), 7, 0);
    }
    /**
     * Regression: at initialization every bias is 0, so an all-zero input row gives pre-activations
     * exactly 0 — a ReLU kink exactly at w, straddled by every difference (λ₁ ≈ 6·10⁵, residual 0.8 in
     * a real run at step 0). The jittered base point keeps the products consistent.
     */
    @Test
    void kinksExactlyAtTheWeightsDoNotBreakTheProducts() {
        NativeBackend.configure();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build());
        net.init();
        DataSet batch = HessianNets.batch(5, 16, 6, 3, true);
        for (int row = 0; row < 8; row++) {
            batch.getFeatures().getRow(row).assign(0);
        }
        StepSnapshot s = HessianNets.snapshot(net, batch, 7);
        List<SharpnessProbe.Measurement> m = measureWithStep(s, ProbeSettings.Sharpness.DEFAULT_FD_STEP);
        for (SharpnessProbe.Measurement r : m) {
            assertTrue(r.residual() < 1e-5, "λ" + r.rank() + " = " + r.eigenvalue() + ", residual " + r.residual());
        }
        assertTrue(m.get(0).eigenvalue() < 100, "λ₁ " + m.get(0).eigenvalue());
    }
}
