package bnscope.core.probes;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.Serializable;

/**
 * Where one parameter of one DL4J layer lives in the network's flat parameter vector
 * ({@code net.params()}), which has the same layout as the flat gradient vector. Lets probes cut
 * a layer's weights or gradient out of any flat vector (before, after, G, G').
 *
 * @param layerIndex DL4J layer index
 * @param param      DL4J parameter key (W, b, gamma, beta, mean, var, ...)
 * @param offset     first element in the flat vector
 * @param length     number of elements
 */
public record ParamSlice(int layerIndex, String param, long offset, long length) implements Serializable {

    /** A live view of this slice of {@code flat} (a row vector of the network's parameter count). */
    public INDArray view(INDArray flat) {
        if (flat.rank() == 1) {
            return flat.get(NDArrayIndex.interval(offset, offset + length));
        }
        return flat.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(offset, offset + length));
    }

    /** This slice of {@code flat} as doubles, in the flat (DL4J) order. */
    public double[] doubles(INDArray flat) {
        INDArray v = view(flat);
        return v.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
