package bnscope.core.probes;

import bnscope.core.layers.RunningStatistics;

import bnscope.core.BadInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The weight layers of a network, numbered 1..k as in the paper's figures, with the normalization
 * layer after each and the flat-vector position of every parameter. Derived from the network
 * itself (no knowledge of how it was built): a weight layer is any layer with a "W" parameter, a
 * normalization layer any layer with "gamma" or "beta".
 *
 * <p>BatchNorm running statistics ("mean", "var", "log10stdev") are parameters in DL4J's flat
 * vector (so snapshot/restore covers them) but not gradients: {@link #trainable()} leaves them out,
 * and every gradient metric uses only trainable slices.
 */
public final class WeightLayers implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<WeightLayer> layers;
    private final List<ParamSlice> trainable;
    private final long[] layerStart;
    private final long numParams;

    private WeightLayers(List<WeightLayer> layers, List<ParamSlice> trainable, long[] layerStart, long numParams) {
        this.layers = List.copyOf(layers);
        this.trainable = List.copyOf(trainable);
        this.layerStart = layerStart;
        this.numParams = numParams;
    }

    /** Reads the weight layers, their norm layers and all parameter offsets from {@code net}. */
    public static WeightLayers of(MultiLayerNetwork net) {
        INDArray flat = net.params();
        Layer[] all = net.getLayers();
        long[] layerStart = new long[all.length + 1];
        List<ParamSlice> trainable = new ArrayList<>();
        List<Map<String, ParamSlice>> slices = new ArrayList<>();
        long running = 0;
        for (int j = 0; j < all.length; j++) {
            layerStart[j] = running;
            Map<String, ParamSlice> layerSlices = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : all[j].paramTable().entrySet()) {
                ParamSlice slice = locate(flat, j, e.getKey(), e.getValue());
                layerSlices.put(e.getKey(), slice);
                if (!RunningStatistics.isStatistic(all[j], e.getKey())) {
                    trainable.add(slice);
                }
            }
            slices.add(layerSlices);
            running += all[j].numParams();
        }
        layerStart[all.length] = running;
        if (running != flat.length()) {
            throw new IllegalStateException("layer parameter counts sum to " + running + " but net.params() has " + flat.length());
        }
        trainable.sort((a, b) -> Long.compare(a.offset(), b.offset()));

        List<Integer> weightIndices = new ArrayList<>();
        for (int j = 0; j < all.length; j++) {
            if (slices.get(j).containsKey("W")) {
                weightIndices.add(j);
            }
        }
        List<WeightLayer> layers = new ArrayList<>();
        for (int w = 0; w < weightIndices.size(); w++) {
            int j = weightIndices.get(w);
            int end = w + 1 < weightIndices.size() ? weightIndices.get(w + 1) : all.length;
            NormLayer norm = null;
            for (int n = j + 1; n < end && norm == null; n++) {
                Map<String, ParamSlice> s = slices.get(n);
                if (s.containsKey("gamma") || s.containsKey("beta")) {
                    norm = new NormLayer(n, nameOf(all[n], n), s.get("gamma"), s.get("beta"));
                }
            }
            layers.add(new WeightLayer(w + 1, j, nameOf(all[j], j), slices.get(j).get("W"), norm));
        }
        return new WeightLayers(layers, trainable, layerStart, running);
    }

    /**
     * Finds a parameter view's position in the flat vector from the view's buffer offset (DL4J
     * layer parameters are contiguous views into the flat vector; the conv layer even stores b
     * before W, so the order is read, not assumed). WeightLayersTest checks every slice against
     * the layer's own parameter view.
     */
    private static ParamSlice locate(INDArray flat, int layer, String param, INDArray view) {
        long offset = view.offset() - flat.offset();
        if (offset < 0 || offset + view.length() > flat.length()) {
            throw new IllegalStateException("parameter " + layer + "_" + param + " lies outside net.params()");
        }
        return new ParamSlice(layer, param, offset, view.length());
    }

    private static String nameOf(Layer layer, int index) {
        String name = layer.conf().getLayer().getLayerName();
        boolean unset = name == null || name.isBlank() || name.chars().allMatch(Character::isDigit);
        return unset ? "layer" + index : name;
    }

    /** The weight layers in order; element i has number i+1. */
    public List<WeightLayer> layers() {
        return layers;
    }

    public int count() {
        return layers.size();
    }

    /** Weight layer by its 1-based paper number. */
    public WeightLayer byNumber(int number) {
        if (number < 1 || number > layers.size()) {
            throw new IllegalArgumentException("no weight layer #" + number + " (network has " + layers.size() + ")");
        }
        return layers.get(number - 1);
    }

    /**
     * The weight layers with the given numbers ({@code configKey} names the setting they came from,
     * for the error message); an empty list selects all.
     */
    public List<WeightLayer> select(List<Integer> numbers, String configKey) {
        if (numbers.isEmpty()) {
            return layers;
        }
        List<WeightLayer> chosen = new ArrayList<>();
        for (int n : numbers) {
            if (n < 1 || n > layers.size()) {
                throw new BadInputException(configKey + " lists weight layer " + n + ", but this network has weight layers 1.."
                        + layers.size() + " (conv, dense and output layers, numbered in order). Use numbers in that range, or an empty list for all layers.");
            }
            if (!chosen.contains(layers.get(n - 1))) {
                chosen.add(layers.get(n - 1));
            }
        }
        chosen.sort((a, b) -> Integer.compare(a.number(), b.number()));
        return Collections.unmodifiableList(chosen);
    }

    /** All parameter slices except running statistics, in flat order: what a gradient is made of. */
    public List<ParamSlice> trainable() {
        return trainable;
    }

    /** First flat-vector element of DL4J layer {@code dl4jIndex}; equals the parameter count of all layers before it. */
    public long layerStart(int dl4jIndex) {
        return layerStart[dl4jIndex];
    }

    public long numParams() {
        return numParams;
    }
}
