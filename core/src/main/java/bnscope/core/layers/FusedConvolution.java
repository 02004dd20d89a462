package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * DL4J's {@link ConvolutionLayer} (same configuration, parameters and oneDNN helper) whose running
 * form, {@link FusedConvolutionLayer}, keeps its training forward output for its backprop instead
 * of recomputing the convolution, and works on contiguous channels-last arrays throughout. Used by
 * {@code model.implementation = fused}; a subclass, so code asking "is this a conv layer?" still
 * says yes. {@link #getBackward()} says how its backward pass runs ({@code model.conv_backward}).
 */
public class FusedConvolution extends ConvolutionLayer {
    /** {@link ConvBackward#COMBINED} when a saved configuration has none (every one saved before the key). */
    private ConvBackward backward = ConvBackward.COMBINED;

    /** For JSON deserialization. */
    public FusedConvolution() {
    }

    private FusedConvolution(Builder builder) {
        super(builder);
        this.backward = builder.backward;
    }

    public ConvBackward getBackward() {
        return backward;
    }

    public void setBackward(ConvBackward backward) {
        this.backward = Objects.requireNonNull(backward);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FusedConvolution other && backward == other.backward;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), backward);
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

    /** Same settings as {@link ConvolutionLayer.Builder}, and {@link #backward}. */
    public static class Builder extends ConvolutionLayer.Builder {
        private ConvBackward backward = ConvBackward.AUTO;

        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /** How the backward pass runs (default {@link ConvBackward#AUTO}). */
        public Builder backward(ConvBackward backward) {
            this.backward = Objects.requireNonNull(backward);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FusedConvolution build() {
            ConvolutionLayer checked = super.build(); // DL4J's own validation of kernel, stride, padding
            Objects.requireNonNull(checked);
            return new FusedConvolution(this);
        }
    }
}
