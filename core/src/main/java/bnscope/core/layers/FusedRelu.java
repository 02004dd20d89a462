package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link ActivationLayer} with a ReLU (same configuration, no parameters) whose running form,
 * {@link FusedReluLayer}, writes relu(x) and ∂L/∂x in one pass each instead of first copying its
 * input (DL4J's layer duplicates the input in the forward and again in the backward pass). The
 * ReLU after every BatchNorm / ℓp layer of bnscope's VGG (Section 3's networks) under
 * {@code model.implementation = fused}; a subclass, so code asking "is this an activation layer?"
 * still says yes, and the probes index the same layers.
 */
public class FusedRelu extends ActivationLayer {

    /** For JSON deserialization. */
    public FusedRelu() {
    }

    private FusedRelu(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerInstantiation.wire(new FusedReluLayer(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public FusedRelu clone() {
        return (FusedRelu) super.clone();
    }

    /** A ReLU layer; other settings as {@link ActivationLayer.Builder}. */
    public static class Builder extends ActivationLayer.Builder {
        public Builder() {
            activation(Activation.RELU);
        }

        @Override
        @SuppressWarnings("unchecked")
        public FusedRelu build() {
            return new FusedRelu(this);
        }
    }
}
