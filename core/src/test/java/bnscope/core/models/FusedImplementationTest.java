package bnscope.core.models;

import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.layers.FusedBatchNormalizationLayer;
import bnscope.core.layers.FusedConvolutionLayer;
import bnscope.core.layers.NoisyBatchNorm;
import bnscope.core.layers.NoisyBatchNormLayer;
import bnscope.core.runtime.NativeBackend;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code model.implementation = fused} against {@code dl4j} (DL4J's layers in NCHW, as before
 * issue 15) on vgg-mini and real CIFAR-10 minibatches: same layers, parameter keys and
 * initialization; the same training-mode output at step 0 (noise included); from DL4J's state at
 * each of 8 steps, the same loss to rounding and the same update up to kink flips; and a
 * free-running loss curve within twice DL4J's own float drift (its other path, and parameters
 * nudged by 1e-7). The free-running bound is stated against measured drift, not a constant,
 * because with BatchNorm at batch 32 and lr 0.1 the drift is chaotic and CPU-dependent: on an AMD
 * EPYC machine fused vs dl4j reached 8.4e-2 by step 8 while DL4J's built-in vs oneDNN paths
 * reached 3.5e-2 and a 1e-7 nudge 1.2e-1; on an Intel Xeon the same comparison gave 3.2e-2 against
 * 7.3e-2. The runs draw their noise from {@code noise.generator = nd4j}, so the noisy curve is
 * compared with today's (the stream before issue 15). Also: the noisy layer's channels-last path
 * gives the NCHW path's noise and gradient to the bit, and the configuration survives DL4J's JSON
 * round trip.
 */
class FusedImplementationTest {
    private static final int EXAMPLES = 32;
    private static final int STEPS = 8;
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    @TempDir
    Path tmp;

    private RunSettings config(String implementation) {
        String repo = System.getProperty("bnscope.repo.root", "..");
        return RunSettings.from(RunConfig.load(Path.of(repo, "conf", "default.conf").toFile(), List.of(
                "data.dir=" + Path.of(repo, "data", "cifar10-mini"), "train.batch_size=" + EXAMPLES,
                "train.steps=" + STEPS, "spark.workers=1", "spark.averaging_frequency=1",
                "model.implementation=" + implementation, "noise.generator=nd4j")));  // today's noise stream
    }

    @Test
    void fusedTrainsLikeDl4jOnEveryVggVariant() {
        NativeBackend.configure();
        RunSettings dl4j = config("dl4j");
        RunSettings fused = config("fused");
        TrainingData data = TrainingDataFactory.open(dl4j, tmp.resolve("run").toString(), new Configuration(),
                new PrintStream(new ByteArrayOutputStream()));
        List<DataSet> batches = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            batches.add(data.minibatch(s, 0));
        }
        for (Variant v : List.of(Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM)) {
            MultiLayerNetwork ref = Networks.build(dl4j, v);
            MultiLayerNetwork net = Networks.build(fused, v);
            assertEquals(ref.getLayers().length, net.getLayers().length, v + ": layer count");
            assertEquals(List.copyOf(ref.paramTable().keySet()), List.copyOf(net.paramTable().keySet()), v + ": parameter keys");
            assertEquals(ref.params(), net.params(), v + ": same initialization");
            assertTrue(NativeBackend.allHelpersActive(net), v + ": " + NativeBackend.layerHelpers(net));
            assertInstanceOf(FusedConvolutionLayer.class, net.getLayer(0));
            if (v != Variant.STANDARD) {
                assertInstanceOf(FusedBatchNormalizationLayer.class, net.getLayer(1));
            }
            MultiLayerNetwork roundTrip = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson()));
            roundTrip.init(net.params().dup(), false);
            assertEquals(net.getLayerWiseConfigurations(), roundTrip.getLayerWiseConfigurations(), v + ": JSON round trip");

            INDArray x = batches.get(0).getFeatures();
            INDArray outRef = ref.output(x, true);
            INDArray out = net.output(x, true);
            double outDiff = outRef.sub(out).amaxNumber().doubleValue();
            assertTrue(outDiff <= 1e-5, v + ": training-mode output differs by " + outDiff);

            stepsFromTheSameStateAgreeToRounding(v, ref, net, batches);
        }
        for (Variant v : List.of(Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM)) {
            lossCurveWithinFloatDrift(v, Networks.build(dl4j, v), Networks.build(fused, v), batches, dl4j);
        }
    }

    /**
     * From DL4J's state at every step, one fused step and one DL4J step. The loss is a continuous
     * function of the state, so it must agree to rounding in every step: measured at most 3.8e-7
     * relative (1e-5 allowed). The parameter update is not: where rounding tips a ReLU or max-pool
     * kink the other way, the gradient routes differently and BatchNorm's backward spreads that over
     * the channel. Measured on vgg-mini, batch 32: 1.6e-6 to 2.3e-6 relative (L2) in a step without a
     * flip; 6.5e-5 to 8.3e-3 in a step with one, with the same frequency between DL4J's own built-in
     * and oneDNN paths (batchnorm: 1 of 8 steps, 8.2e-3; noisy: 3 of 8, up to 6.2e-4). So: no step
     * differs by more than 5e-2, and at least one agrees to 1e-5, which a backward pass that computed
     * something else would not (the layers' own gradients are proven equal in FusedBatchNormalizationTest
     * and NoisyBatchNormTest).
     */
    private static void stepsFromTheSameStateAgreeToRounding(Variant v, MultiLayerNetwork ref, MultiLayerNetwork fused,
                                                             List<DataSet> batches) {
        double[] lossDiff = new double[STEPS];
        double[] updateDiff = new double[STEPS];
        for (int s = 0; s < STEPS; s++) {
            INDArray before = ref.params().dup();
            fused.setParams(before);  // plain SGD: the parameters (running statistics included) are the whole state
            ref.fit(batches.get(s));
            fused.fit(batches.get(s));  // both have fitted s times, so the noise of step s is the same draw
            lossDiff[s] = relative(ref.score(), fused.score());
            INDArray refUpdate = ref.params().sub(before);
            updateDiff[s] = refUpdate.sub(fused.params().sub(before)).norm2Number().doubleValue() / refUpdate.norm2Number().doubleValue();
        }
        double maxLoss = Arrays.stream(lossDiff).max().orElseThrow();
        double minUpdate = Arrays.stream(updateDiff).min().orElseThrow(), maxUpdate = Arrays.stream(updateDiff).max().orElseThrow();
        System.out.printf("%s: one step from the same state, loss relative difference max %.2e; update relative difference min %.2e, "
                + "max %.2e%n", v, maxLoss, minUpdate, maxUpdate);
        assertTrue(maxLoss <= 1e-5, v + ": losses from the same state differ by " + Arrays.toString(lossDiff) + " (allowed 1e-5)");
        assertTrue(minUpdate <= 1e-5, v + ": no step from the same state agrees to rounding: " + Arrays.toString(updateDiff));
        assertTrue(maxUpdate <= 5e-2, v + ": steps from the same state differ by " + Arrays.toString(updateDiff) + " (allowed 5e-2)");
    }

    /**
     * The free-running loss curve over {@link #STEPS} steps, fused against DL4J, within twice the float
     * drift of DL4J against itself: its built-in path, and its oneDNN path from parameters perturbed by
     * 1e-7 relative (two draws). The drift grows fast with BatchNorm at lr 0.1 because SGD carries the
     * kinks' flips on: measured 1.2e-1 by step 8 for one such perturbation, fused 9.1e-2. Over the first
     * 3 steps the bound is at least 1e-3 (OneDnnParityTest's), over all of them at least 2e-2.
     */
    private static void lossCurveWithinFloatDrift(Variant v, MultiLayerNetwork ref, MultiLayerNetwork fused,
                                                  List<DataSet> batches, RunSettings dl4j) {
        MultiLayerNetwork slow = slowPath(dl4j, v);
        assertEquals(ref.params(), slow.params());
        List<MultiLayerNetwork> witnesses = new ArrayList<>(List.of(slow));
        for (long seed = 1; seed <= 2; seed++) {
            witnesses.add(perturbed(Networks.build(dl4j, v), seed));
        }
        double first3 = 0, all = 0, drift3 = 0, drift = 0;
        for (int s = 0; s < STEPS; s++) {
            ref.fit(batches.get(s));
            fused.fit(batches.get(s));
            all = Math.max(all, relative(ref.score(), fused.score()));
            for (MultiLayerNetwork w : witnesses) {
                w.fit(batches.get(s));
                drift = Math.max(drift, relative(ref.score(), w.score()));
            }
            if (s < 3) {
                first3 = all;
                drift3 = drift;
            }
        }
        System.out.printf("%s: free-running losses, fused vs dl4j first 3 steps %.2e, %d steps %.2e; DL4J's float drift %.2e, %.2e%n",
                v, first3, STEPS, all, drift3, drift);
        double allowed3 = Math.max(1e-3, 2 * drift3);
        assertTrue(first3 <= allowed3, v + ": first 3 losses differ by " + first3 + " (allowed " + allowed3 + ")");
        double allowed = Math.max(2e-2, 2 * drift);
        assertTrue(all <= allowed, v + ": losses over " + STEPS + " steps differ by " + all + " (allowed " + allowed
                + ": twice DL4J's own float drift " + drift + ")");
    }

    private static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    }

    /** Every parameter times (1 + u·1e-7), u uniform in [-1, 1) from {@code seed}: a float-rounding-sized nudge. */
    private static MultiLayerNetwork perturbed(MultiLayerNetwork net, long seed) {
        float[] p = net.params().data().asFloat();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (p[i] * 1e-7 * (2 * random.nextDouble() - 1));
        }
        net.setParams(Nd4j.create(p, net.params().shape()));
        return net;
    }

    private static MultiLayerNetwork slowPath(RunSettings config, Variant v) {
        String before = System.getProperty(NativeBackend.HELPERS_PROPERTY);
        System.setProperty(NativeBackend.HELPERS_PROPERTY, "true");
        try {
            return Networks.build(config, v);
        } finally {
            System.setProperty(NativeBackend.HELPERS_PROPERTY, before == null ? "false" : before);
        }
    }

    @Test
    void noisyChannelsLastIsTheNchwNoiseToTheBit() {
        int n = 5, c = 7, h = 3, w = 4;
        Nd4j.getRandom().setSeed(4);
        INDArray nchw = Nd4j.randn(DataType.FLOAT, n, c, h, w);
        INDArray eps = Nd4j.randn(DataType.FLOAT, n, c, h, w);
        NoisyBatchNormLayer a = noisy(CNN2DFormat.NCHW);
        NoisyBatchNormLayer b = noisy(CNN2DFormat.NHWC);
        a.setInput(nchw.dup(), NO_WS);
        b.setInput(nchw.permute(0, 2, 3, 1).dup('c'), NO_WS);
        INDArray outA = a.activate(true, NO_WS).dup();
        INDArray outB = b.activate(true, NO_WS).permute(0, 3, 1, 2).dup('c');
        assertEquals(outA, outB);
        assertArrayEquals(outA.data().asFloat(), outB.data().asFloat(), 0f, "noisy output must be bit-identical");
        INDArray gA = a.backpropGradient(eps.dup(), NO_WS).getSecond();
        INDArray gB = b.backpropGradient(eps.permute(0, 2, 3, 1).dup('c'), NO_WS).getSecond().permute(0, 3, 1, 2).dup('c');
        assertArrayEquals(gA.dup('c').data().asFloat(), gB.data().asFloat(), 0f, "noisy gradient must be bit-identical");
    }

    private static NoisyBatchNormLayer noisy(CNN2DFormat format) {
        NoisyBatchNorm layerConf = new NoisyBatchNorm.Builder(21).build();
        layerConf.setCnn2dFormat(format);
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(layerConf).build();
        NoisyBatchNormLayer layer = (NoisyBatchNormLayer) conf.getLayer().instantiate(conf, List.of(), 3, null, false, DataType.FLOAT);
        layer.setIterationCount(9);
        return layer;
    }
}
