package bnscope.core.probes;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of trainable parameters whose Hessian block the sharpness probe measures: all of them
 * ("global"), or one weight layer's own (its W and b: the diagonal block of that DL4J layer).
 * Coordinates are positions in the trainable vector (the concatenation of
 * {@link WeightLayers#trainable()}, running statistics left out); a block maps its own vectors
 * into that space (zeros elsewhere) and back.
 *
 * @param which     "global" or "layer"
 * @param layer     weight-layer number (1-based), 0 for the global block
 * @param layerName the layer's name, "all" for the global block
 * @param starts    first coordinate of each contiguous range
 * @param lengths   length of each range
 * @param total     size of the trainable vector
 */
public record ParameterBlock(String which, int layer, String layerName, int[] starts, int[] lengths, int total) {

    public static final String GLOBAL = "global";
    public static final String LAYER = "layer";

    /** Every trainable parameter. */
    public static ParameterBlock global(WeightLayers layers) {
        int total = totalOf(layers);
        return new ParameterBlock(GLOBAL, 0, "all", new int[]{0}, new int[]{total}, total);
    }

    /** The trainable parameters of weight layer {@code w}'s own DL4J layer (W, and b if it has one). */
    public static ParameterBlock of(WeightLayers layers, WeightLayer w) {
        List<int[]> ranges = new ArrayList<>();
        int at = 0;
        for (ParamSlice t : layers.trainable()) {
            if (t.layerIndex() == w.dl4jIndex()) {
                ranges.add(new int[]{at, (int) t.length()});
            }
            at += (int) t.length();
        }
        int[] starts = ranges.stream().mapToInt(r -> r[0]).toArray();
        int[] lengths = ranges.stream().mapToInt(r -> r[1]).toArray();
        return new ParameterBlock(LAYER, w.number(), w.name(), starts, lengths, at);
    }

    private static int totalOf(WeightLayers layers) {
        long total = 0;
        for (ParamSlice t : layers.trainable()) {
            total += t.length();
        }
        return Math.toIntExact(total);
    }

    /** Number of parameters in the block. */
    public int dimension() {
        int d = 0;
        for (int l : lengths) {
            d += l;
        }
        return d;
    }

    /** The block vector {@code v} as a trainable vector, zero outside the block. */
    public double[] embed(double[] v) {
        double[] out = new double[total];
        int at = 0;
        for (int r = 0; r < starts.length; r++) {
            System.arraycopy(v, at, out, starts[r], lengths[r]);
            at += lengths[r];
        }
        return out;
    }

    /** The block's coordinates of the trainable vector {@code full}. */
    public double[] extract(double[] full) {
        double[] out = new double[dimension()];
        int at = 0;
        for (int r = 0; r < starts.length; r++) {
            System.arraycopy(full, starts[r], out, at, lengths[r]);
            at += lengths[r];
        }
        return out;
    }
}
