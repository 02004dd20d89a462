package bnscope.core.models;

import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The VGG nets run their conv, BatchNorm and pooling layers on oneDNN (docs/performance.md). */
@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class VggOneDnnTest {
    private static final Variant[] BUILT = {Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM};

    @BeforeAll
    static void fastPath() {
        NativeBackend.configure();
    }

    @Test
    void everyConvBatchNormAndPoolLayerHasItsHelper() {
        for (String preset : new String[]{VggBuilder.VGG_MINI, VggBuilder.VGG16}) {
            for (Variant v : BUILT) {
                MultiLayerConfiguration conf = VggBuilder.preset(preset).variant(v).seed(3).build();
                MultiLayerNetwork net = new MultiLayerNetwork(conf);
                net.init();
                Map<String, String> helpers = NativeBackend.layerHelpers(net);
                assertEquals(countHelperLayers(conf), helpers.size(), preset + " " + v + ": " + helpers);
                assertTrue(NativeBackend.allHelpersActive(net), preset + " " + v + ": " + helpers);
            }
        }
    }

    /** Prints the median fit-step time of vgg-mini at batch 128 (the number is reported, not asserted). */
    @Test
    void vggMiniFitStepAtBatch128() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 128, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 128, 10);
        for (int i = 0; i < 128; i++) {
            y.putScalar(i, i % 10, 1);
        }
        for (Variant v : BUILT) {
            MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.preset(VggBuilder.VGG_MINI).variant(v).seed(5).build());
            net.init();
            assertTrue(NativeBackend.allHelpersActive(net));
            net.fit(x, y);
            net.fit(x, y);
            double[] seconds = new double[5];
            for (int i = 0; i < seconds.length; i++) {
                long t0 = System.nanoTime();
                net.fit(x, y);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
                assertTrue(Double.isFinite(net.score()), v + " loss " + net.score());
            }
            Arrays.sort(seconds);
            System.out.printf("vgg-mini %s batch 128: median fit step %.3f s (steps %s)%n", v, seconds[2], Arrays.toString(seconds));
        }
    }

    private static int countHelperLayers(MultiLayerConfiguration conf) {
        int n = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Object layer = conf.getConf(i).getLayer();
            if (layer instanceof ConvolutionLayer || layer instanceof BatchNormalization || layer instanceof SubsamplingLayer) {
                n++;
            }
        }
        return n;
    }
}
