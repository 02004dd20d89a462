package bnscope.core.probes;

import bnscope.core.layers.RunningStatistics;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class WeightLayersTest {

    @Test
    void numbersWeightLayersAndFindsTheirNormLayers() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 1);
        WeightLayers layers = WeightLayers.of(net);
        assertEquals(3, layers.count());
        WeightLayer conv = layers.byNumber(1);
        assertEquals(0, conv.dl4jIndex());
        assertEquals("conv1", conv.name());
        assertEquals(1, conv.norm().dl4jIndex());
        assertEquals("bn1", conv.norm().name());
        WeightLayer dense = layers.byNumber(2);
        assertEquals(4, dense.dl4jIndex());
        assertEquals(5, dense.norm().dl4jIndex());
        WeightLayer out = layers.byNumber(3);
        assertEquals(7, out.dl4jIndex());
        assertEquals("layer7", out.name());
        assertNull(out.norm());
        assertEquals(List.of("W", "gamma", "beta"), conv.reportedParams().stream().map(ParamSlice::param).toList());
        assertEquals(List.of(out), layers.select(List.of(3), "probe.ics.layers"));
        assertEquals(layers.layers(), layers.select(List.of(), "probe.ics.layers"));
        assertThrows(bnscope.core.BadInputException.class, () -> layers.select(List.of(4), "probe.ics.layers"));
    }

    @Test
    void everySliceIsTheLayersOwnParameterAndStatisticsAreNotTrainable() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 2);
        net.fit(ProbeNets.imageBatch(DataType.FLOAT, 3, 16, 8)); // running statistics move away from their initial 0/1
        WeightLayers layers = WeightLayers.of(net);
        INDArray flat = net.params();
        long trainable = 0;
        for (ParamSlice p : layers.trainable()) {
            INDArray own = net.getLayer(p.layerIndex()).getParam(p.param());
            assertEquals(own.length(), p.doubles(flat).length);
            assertEquals(own.sumNumber().doubleValue(), p.view(flat).sumNumber().doubleValue(), 1e-4, p.toString());
            assertFalse(RunningStatistics.isStatistic(net.getLayer(p.layerIndex()), p.param()));
            trainable += p.length();
        }
        long statistics = 0;
        for (int j = 0; j < net.getLayers().length; j++) {
            Layer layer = net.getLayer(j);
            for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet()) {
                if (RunningStatistics.isStatistic(layer, e.getKey())) {
                    statistics += e.getValue().length();
                }
            }
        }
        assertEquals(2 * (4 + 16), statistics);
        assertEquals(net.numParams(), trainable + statistics);
        // element-wise: writing through the slice changes the layer's own parameter
        for (WeightLayer w : layers.layers()) {
            for (ParamSlice p : w.reportedParams()) {
                INDArray copy = flat.dup();
                p.view(copy).assign(7);
                net.setParams(copy);
                INDArray own = net.getLayer(p.layerIndex()).getParam(p.param());
                assertEquals(7.0, own.minNumber().doubleValue(), p.toString());
                assertEquals(7.0, own.maxNumber().doubleValue(), p.toString());
                net.setParams(flat.dup());
            }
        }
        assertEquals(0, layers.layerStart(0));
        assertEquals(net.getLayer(0).numParams() + net.getLayer(1).numParams(), layers.layerStart(2));
    }
}
