package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link BatchNormalization} — same settings, parameters (gamma, beta, mean, var in that
 * order), updaters and running-average rule — whose running form {@link FusedBatchNormalizationLayer}
 * computes it with {@link BatchNormKernel}. A subclass, so every probe and metric that recognizes
 * BatchNorm (running statistics left out of gradients, γ/β rows) treats it the same way. Used by
 * {@code model.implementation = fused}.
 */
public class FusedBatchNormalization extends BatchNormalization {

    /** For JSON deserialization; use {@link #of}. */
    public FusedBatchNormalization() {
    }

    /** A fused BatchNorm with DL4J's defaults but the given decay, eps and name. */
    public static FusedBatchNormalization of(double decay, double eps, String name) {
        FusedBatchNormalization bn = new FusedBatchNormalization();
        bn.setDecay(decay);
        bn.setEps(eps);
        bn.setLayerName(name);
        return bn;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerInstantiation.wire(new FusedBatchNormalizationLayer(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public FusedBatchNormalization clone() {
        return (FusedBatchNormalization) super.clone();
    }
}
