package bnscope.core.models;

import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.runtime.NativeBackend;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fast path (DL4J's oneDNN layer helpers, as bnscope trains) and DL4J's built-in slow path train
 * vgg-mini with BatchNorm identically up to float rounding: same initialization, same 32 real
 * CIFAR-10 examples, three SGD steps, losses within 1e-3 relative. (Over many steps the two drift
 * apart: rounding flips the odd ReLU/max-pool kink, which changes that step's gradient; see
 * BENCHMARKS.md.)
 */
class OneDnnParityTest {
    private static final int EXAMPLES = 32;
    private static final int STEPS = 3;

    @TempDir
    Path tmp;

    @Test
    void fastAndSlowPathLossesAgreeOverThreeSteps() {
        NativeBackend.configure();
        String repo = System.getProperty("bnscope.repo.root", "..");
        RunSettings config = RunSettings.from(RunConfig.load(Path.of(repo, "conf", "default.conf").toFile(), List.of(
                "data.dir=" + Path.of(repo, "data", "cifar10-mini"), "train.batch_size=" + EXAMPLES,
                "train.steps=" + STEPS, "spark.workers=1", "spark.averaging_frequency=1",
                // DL4J's own layers: this test is about DL4J's two paths (FusedImplementationTest covers the fused one)
                "model.implementation=dl4j")));
        TrainingData data = TrainingDataFactory.open(config, tmp.resolve("run").toString(), new Configuration(),
                new PrintStream(new ByteArrayOutputStream()));
        DataSet batch = data.minibatch(0, 0);
        assertEquals(EXAMPLES, batch.numExamples());

        MultiLayerNetwork fast = build(config, false);
        MultiLayerNetwork slow = build(config, true);
        Map<String, String> fastHelpers = NativeBackend.layerHelpers(fast);
        Map<String, String> slowHelpers = NativeBackend.layerHelpers(slow);
        assertFalse(fastHelpers.isEmpty());
        assertTrue(NativeBackend.allHelpersActive(fast), "fast path: " + fastHelpers);
        assertEquals(fastHelpers.keySet(), slowHelpers.keySet());
        assertTrue(slowHelpers.values().stream().allMatch("none"::equals), "slow path: " + slowHelpers);
        assertEquals(fast.params(), slow.params(), "both paths must start from the same initialization");

        double maxRelative = 0;
        for (int step = 0; step < STEPS; step++) {
            fast.fit(batch);
            slow.fit(batch);
            double a = fast.score();
            double b = slow.score();
            assertTrue(Double.isFinite(a) && Double.isFinite(b), "step " + step + ": " + a + " vs " + b);
            maxRelative = Math.max(maxRelative, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
        }
        assertTrue(maxRelative <= 1e-3, "fast vs slow path losses differ by " + maxRelative + " (relative)");
        assertNotEquals(fast.params(), build(config, false).params(), "the three steps must have trained the network");
    }

    /** vgg-mini batchnorm as the run config builds it, with DL4J's layer helpers on or off. */
    private static MultiLayerNetwork build(RunSettings config, boolean helpersDisabled) {
        String before = System.getProperty(NativeBackend.HELPERS_PROPERTY);
        System.setProperty(NativeBackend.HELPERS_PROPERTY, Boolean.toString(helpersDisabled));
        try {
            return Networks.build(config, Variant.BATCHNORM);
        } finally {
            System.setProperty(NativeBackend.HELPERS_PROPERTY, before == null ? "false" : before);
        }
    }
}
