package bnscope.core.probes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One weight layer (conv, dense or output: a DL4J layer with a "W" parameter), numbered as in the
 * paper's figures.
 *
 * @param number     1-based weight-layer number (#1 is the first conv layer)
 * @param dl4jIndex  index of the layer in the MultiLayerNetwork
 * @param name       the layer's configured name, or "layer" + dl4jIndex when none was set
 * @param weight     the W parameter
 * @param norm       the normalization layer that follows (before the next weight layer), or null
 */
public record WeightLayer(int number, int dl4jIndex, String name, ParamSlice weight, NormLayer norm)
        implements Serializable {

    /** The rows this layer contributes to per-parameter tables: W, then gamma and beta of its norm layer. */
    public List<ParamSlice> reportedParams() {
        List<ParamSlice> params = new ArrayList<>();
        params.add(weight);
        if (norm != null) {
            if (norm.gamma() != null) {
                params.add(norm.gamma());
            }
            if (norm.beta() != null) {
                params.add(norm.beta());
            }
        }
        return params;
    }
}
