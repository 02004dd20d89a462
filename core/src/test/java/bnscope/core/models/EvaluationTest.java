package bnscope.core.models;

import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.LinearRegressionData;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.runtime.NativeBackend;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one-pass evaluation against the earlier one (DL4J's score, then output: two forward passes)
 * on what the runs evaluate: vgg-mini (fused layers, each variant) after a few SGD steps, so the
 * BatchNorm running statistics have moved, on 600 real CIFAR-10 training examples (a full chunk of
 * 500 and a partial one), and the deep linear network (a regression: accuracy NaN). Same layers,
 * same inputs, same ops in the same order: the loss agrees to the bit and the count of right
 * answers exactly.
 */
class EvaluationTest {
    @TempDir
    Path tmp;

    @Test
    void onePassGivesTheTwoPassLossAndAccuracyOnEveryVggVariant() {
        assertTrue(Evaluation.onePass(), "this DL4J has the forward pass the one-pass evaluation calls");
        NativeBackend.configure();
        String repo = System.getProperty("bnscope.repo.root", "..");
        RunSettings settings = RunSettings.from(RunConfig.load(Path.of(repo, "conf", "default.conf").toFile(), List.of(
                "data.dir=" + Path.of(repo, "data", "cifar10-mini"), "train.batch_size=64", "spark.workers=1")));
        TrainingData data = TrainingDataFactory.open(settings, tmp.resolve("run").toString(), new Configuration(),
                new PrintStream(new ByteArrayOutputStream()));
        DataSet sample = data.trainingSample(600, 7);
        assertEquals(600, sample.numExamples());
        for (Variant v : List.of(Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM)) {
            MultiLayerNetwork net = Networks.build(settings, v);
            for (int step = 0; step < 3; step++) {
                net.fit(data.minibatch(step, 0));
            }
            Evaluation.Result two = Evaluation.twoPasses(net, sample, true);
            Evaluation.Result one = Evaluation.of(net, sample, true);
            assertEquals(two.loss(), one.loss(), 0.0, v + " loss");
            assertEquals(two.accuracy(), one.accuracy(), 0.0, v + " accuracy");
            assertEquals(600, one.examples());
            assertTrue(one.loss() > 0.5 && one.loss() < 5, v + ": a real cross-entropy, not a constant: " + one.loss());
            assertTrue(one.accuracy() > 0 && one.accuracy() < 1, v + ": " + one.accuracy());
            // evaluating again gives the same: the pass leaves nothing behind that changes the next one
            assertEquals(one, Evaluation.of(net, sample, true), v + " repeated");
        }
    }

    @Test
    void onePassGivesTheTwoPassLossOnTheDeepLinearNetwork() {
        for (Variant v : List.of(Variant.STANDARD, Variant.BATCHNORM)) {
            DeepLinearNetwork dln = DeepLinearNetwork.builder().depth(6).normalization(v).seed(3).learningRate(1e-5).build();
            MultiLayerNetwork net = dln.network();
            DataSet all = LinearRegressionData.generate(4).toDataSet(DataType.FLOAT);
            net.fit(all);
            Evaluation.Result two = Evaluation.twoPasses(net, all, false);
            Evaluation.Result one = Evaluation.of(net, all, false);
            assertEquals(two.loss(), one.loss(), 0.0, v + " loss");
            assertTrue(Double.isNaN(one.accuracy()) && Double.isNaN(two.accuracy()), "regression: no accuracy");
            assertEquals(1000, one.examples());
            assertTrue(one.loss() > 0, v + ": " + one.loss());
        }
    }
}
