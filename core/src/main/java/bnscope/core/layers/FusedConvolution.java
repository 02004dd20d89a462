package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link ConvolutionLayer} (same configuration, parameters and oneDNN helper) whose running
 * form, {@link FusedConvolutionLayer}, keeps its training forward output for its backprop instead
 * of recomputing the convolution, and works on contiguous channels-last arrays throughout. Used by
 * {@code model.implementation = fused}; a subclass, so code asking "is this a conv layer?" still
 * says yes.
 */
public class FusedConvolution extends ConvolutionLayer {

    /** For JSON deserialization. */
    public FusedConvolution() {
    }

    private FusedConvolution(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerInstantiation.wire(new FusedConvolutionLayer(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public FusedConvolution clone() {
        return (FusedConvolution) super.clone();
    }

    /** Same settings as {@link ConvolutionLayer.Builder}. */
    public static class Builder extends ConvolutionLayer.Builder {
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        @SuppressWarnings("unchecked")
        public FusedConvolution build() {
            ConvolutionLayer checked = super.build(); // DL4J's own validation of kernel, stride, padding
            java.util.Objects.requireNonNull(checked);
            return new FusedConvolution(this);
        }
    }
}
