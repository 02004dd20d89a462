package bnscope.core.probes;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A double-precision copy of a network for measurements that differentiate numerically (central
 * differences of gradients lose half their digits to rounding, too many in float32): same
 * configuration and parameters (running statistics included), iteration count pinned so noisy
 * BatchNorm repeats the step's draw. The original network is not touched.
 */
public final class DoublePrecisionCopy {
    private DoublePrecisionCopy() {
    }

    /** {@code net} in double precision, its gradient view initialized, every iteration count set to {@code step}. */
    public static MultiLayerNetwork of(MultiLayerNetwork net, int step) {
        MultiLayerNetwork copy = net.convertDataType(DataType.DOUBLE);
        if (copy == net) { // convertDataType returns the network itself when it already is double
            copy = net.clone();
        }
        copy.initGradientsView(); // convertDataType leaves it unset; backprop writes into it
        NetworkState.pinIteration(copy, step);
        return copy;
    }
}
