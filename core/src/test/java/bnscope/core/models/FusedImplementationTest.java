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
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code model.implementation = fused} against {@code dl4j} (DL4J's layers in NCHW, as before
 * issue 15) on vgg-mini and real CIFAR-10 minibatches: same layers, parameter keys and
 * initialization; the same training-mode output at step 0 (noise included); and the same loss
 * curve over a short run, to float drift: at most twice the drift between DL4J's own built-in and
 * oneDNN paths on the same steps, over the first 3 steps (or 1e-3, OneDnnParityTest's bound) and
 * over 8 (or 2e-2). With BatchNorm at batch
 * 32 and lr 0.1 that drift is itself ~7e-2 by step 8 (measured: fused 3.2e-2 with the float
 * kernel, 6.4e-2 with the double one, DL4J slow vs fast 7.3e-2); rounding flips ReLU/max-pool kinks
 * and SGD carries them on. The runs draw their noise from {@code noise.generator = nd4j}, so the noisy
 * curve is compared with today's (the stream before issue 15). With the splitmix stream the
 * trajectory is another one: measured fused vs dl4j 5.0e-2 over 8 steps (1.7e-6 over the first 3)
 * while DL4J's own slow-vs-fast drift on it happened to be only 2.2e-2. Also: the noisy layer's
 * channels-last path gives the NCHW path's noise and gradient to the bit, and the configuration
 * survives DL4J's JSON round trip.
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

            // DL4J's own float drift on the same steps: its built-in (helpers off) path against its oneDNN path
            MultiLayerNetwork slow = slowPath(dl4j, v);
            assertEquals(ref.params(), slow.params());
            double first3 = 0, all = 0, drift = 0, drift3 = 0;
            for (int s = 0; s < STEPS; s++) {
                ref.fit(batches.get(s));
                net.fit(batches.get(s));
                slow.fit(batches.get(s));
                double a = ref.score(), b = net.score();
                double rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
                drift = Math.max(drift, Math.abs(a - slow.score()) / Math.max(Math.abs(a), Math.abs(slow.score())));
                all = Math.max(all, rel);
                if (s < 3) {
                    first3 = Math.max(first3, rel);
                    drift3 = drift;
                }
            }
            System.out.printf("%s: fused vs dl4j output %.2e, loss relative difference first 3 steps %.2e, %d steps %.2e; "
                    + "DL4J slow vs fast path %.2e%n", v, outDiff, first3, STEPS, all, drift);
            double allowed3 = Math.max(1e-3, 2 * drift3);
            assertTrue(first3 <= allowed3, v + ": first 3 losses differ by " + first3 + " (allowed " + allowed3 + ")");
            double allowed = Math.max(2e-2, 2 * drift);
            assertTrue(all <= allowed, v + ": losses over " + STEPS + " steps differ by " + all + " (allowed " + allowed
                    + ": twice DL4J's own slow-vs-fast drift " + drift + ")");
        }
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
