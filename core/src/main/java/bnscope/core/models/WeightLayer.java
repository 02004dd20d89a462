package bnscope.core.models;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer with a weight matrix, numbered the way the paper's figures number them ("layer #5" = the
 * fifth conv/dense layer from the input, 1-based), together with where it sits in the DL4J network.
 *
 * @param paperIndex       1-based position among the weight layers (the paper's "layer #k")
 * @param layerIndex       index of the conv/dense/output layer in {@code MultiLayerNetwork.getLayer(i)}
 * @param name             layer name, e.g. "conv3_1", "dense1", "output"
 * @param kind             conv or dense (the output layer is dense)
 * @param blockOutputIndex index of the last layer of this weight layer's block (its normalization and
 *                         ReLU, named "name/..."), i.e. where the block's post-ReLU activations come
 *                         out; equal to {@code layerIndex} when nothing follows (standard net, output)
 */
public record WeightLayer(int paperIndex, int layerIndex, String name, Kind kind, int blockOutputIndex) {

    public enum Kind { CONV, DENSE }

    /** The weight layers of {@code conf} in input-to-output order. */
    public static List<WeightLayer> listOf(MultiLayerConfiguration conf) {
        List<WeightLayer> out = new ArrayList<>();
        int layers = conf.getConfs().size();
        for (int i = 0; i < layers; i++) {
            Layer layer = conf.getConf(i).getLayer();
            Kind kind = kindOf(layer);
            if (kind == null) {
                continue;
            }
            String name = layer.getLayerName();
            int end = i;
            while (end + 1 < layers && isPartOfBlock(conf.getConf(end + 1).getLayer(), name)) {
                end++;
            }
            out.add(new WeightLayer(out.size() + 1, i, name, kind, end));
        }
        return out;
    }

    /** The weight layer the paper calls "layer #paperIndex". */
    public static WeightLayer byPaperIndex(MultiLayerConfiguration conf, int paperIndex) {
        List<WeightLayer> all = listOf(conf);
        if (paperIndex < 1 || paperIndex > all.size()) {
            throw new IllegalArgumentException("weight layer #" + paperIndex + " does not exist: the network has "
                    + all.size() + " weight layers (1.." + all.size() + ")");
        }
        return all.get(paperIndex - 1);
    }

    private static Kind kindOf(Layer layer) {
        if (layer instanceof ConvolutionLayer) {
            return Kind.CONV;
        }
        if (layer instanceof DenseLayer || layer instanceof BaseOutputLayer) {
            return Kind.DENSE;
        }
        return null;
    }

    private static boolean isPartOfBlock(Layer layer, String blockName) {
        return blockName != null && layer.getLayerName() != null && layer.getLayerName().startsWith(blockName + "/");
    }
}
