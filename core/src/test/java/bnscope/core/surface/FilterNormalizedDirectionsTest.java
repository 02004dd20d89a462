package bnscope.core.surface;

import bnscope.core.models.Variant;
import bnscope.core.models.VggBuilder;
import bnscope.core.probes.ParamSlice;
import bnscope.core.probes.WeightLayer;
import bnscope.core.probes.WeightLayers;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Filter normalization on real vgg-mini networks (conv and dense weights, BatchNorm γ/β and running
 * statistics, stored by the fused BatchNorm as mean and log10stdev): every filter of a direction has the norm of the same filter of the weights, every
 * other parameter gets 0, and the draw is a function of the seed alone.
 *
 * <p>The filter norms are read back two ways: through the network's own W views (DL4J's notion of
 * the weight's shape), and straight from the flat vector, where a conv filter (c order [out, in, kh,
 * kw]) and a dense output unit (f order [nIn, nOut]) are each one contiguous run of length/out
 * elements; the second reading does not share the implementation's indexing.
 */
class FilterNormalizedDirectionsTest {

    private static MultiLayerNetwork vggMini(Variant variant, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.preset(VggBuilder.VGG_MINI).variant(variant).seed(seed).build());
        net.init();
        return net;
    }

    @Test
    void eachFilterOfTheDirectionHasTheNormOfTheWeightsFilter() {
        for (Variant variant : List.of(Variant.BATCHNORM, Variant.STANDARD)) {
            MultiLayerNetwork net = vggMini(variant, 7);
            INDArray d = FilterNormalizedDirections.draw(net, 11);
            WeightLayers layers = WeightLayers.of(net);
            assertEquals(8, layers.count(), "vgg-mini: 6 conv + 2 dense weight layers");
            for (WeightLayer layer : layers.layers()) {
                INDArray w = net.getLayer(layer.dl4jIndex()).getParam("W");
                double[] expected = FilterNormalizedDirections.filterNorms(w);
                double[] fromFlat = contiguousFilterNorms(d, layer.weight(), expected.length);
                double[] weightsFromFlat = contiguousFilterNorms(net.params(), layer.weight(), expected.length);
                for (int f = 0; f < expected.length; f++) {
                    assertTrue(expected[f] > 0, layer.name() + " filter " + f);
                    assertEquals(expected[f], weightsFromFlat[f], 1e-6 * expected[f], layer.name() + ": a filter is a contiguous run");
                    assertEquals(expected[f], fromFlat[f], 1e-5 * expected[f], variant + " " + layer.name() + " filter " + f);
                }
            }
        }
    }

    @Test
    void biasesBatchNormParametersAndRunningStatisticsGetNoDirection() {
        MultiLayerNetwork net = vggMini(Variant.BATCHNORM, 3);
        INDArray d = FilterNormalizedDirections.draw(net, 5);
        MultiLayerNetwork holder = net.clone();
        holder.setParams(d);
        List<String> zero = new ArrayList<>();
        for (Layer layer : holder.getLayers()) {
            layer.paramTable().forEach((key, value) -> {
                double maxAbs = value.amaxNumber().doubleValue();
                if (key.equals("W")) {
                    assertTrue(maxAbs > 0, "a weight gets a direction");
                } else {
                    assertEquals(0.0, maxAbs, key + " of layer " + layer.getIndex());
                    zero.add(key);
                }
            });
        }
        assertTrue(zero.containsAll(List.of("b", "gamma", "beta", "mean", "log10stdev")), "checked: " + zero);
    }

    @Test
    void theDirectionsAreAFunctionOfTheSeed() {
        MultiLayerNetwork a = vggMini(Variant.BATCHNORM, 1);
        MultiLayerNetwork b = vggMini(Variant.BATCHNORM, 1);
        SurfaceSeeds seeds = SurfaceSeeds.of(42);
        FilterNormalizedDirections.Plane p = FilterNormalizedDirections.plane(a, seeds);
        FilterNormalizedDirections.Plane q = FilterNormalizedDirections.plane(b, SurfaceSeeds.of(42));
        assertEquals(p.x(), q.x(), "same seed, same network: the same x");
        assertEquals(p.y(), q.y());
        assertNotEquals(p.x(), p.y(), "x and y are two different draws");
        assertNotEquals(p.x(), FilterNormalizedDirections.plane(a, SurfaceSeeds.of(43)).x(), "another seed, another direction");
        assertEquals(seeds, SurfaceSeeds.of(42));
        assertNotEquals(seeds.sample(), seeds.x());
        // nearly orthogonal, as two Gaussian draws in ~200k dimensions are
        double cos = p.x().mul(p.y()).sumNumber().doubleValue() / (p.x().norm2Number().doubleValue() * p.y().norm2Number().doubleValue());
        assertTrue(Math.abs(cos) < 0.05, "cos(x, y) = " + cos);
    }

    /** Norms of {@code filters} equal contiguous runs of the slice in the flat vector. */
    private static double[] contiguousFilterNorms(INDArray flat, ParamSlice slice, int filters) {
        float[] all = flat.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
        long per = slice.length() / filters;
        double[] norms = new double[filters];
        for (int f = 0; f < filters; f++) {
            double sum = 0;
            for (long k = 0; k < per; k++) {
                double v = all[(int) (slice.offset() + f * per + k)];
                sum += v * v;
            }
            norms[f] = Math.sqrt(sum);
        }
        return norms;
    }
}
