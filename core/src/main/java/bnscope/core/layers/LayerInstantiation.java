package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's layer-instantiation steps, written once for bnscope's own layer configurations: every
 * {@code Layer#instantiate} wires the new runtime layer the same way (listeners, index, the
 * parameter view and the table its initializer carves out of it, the configuration).
 */
final class LayerInstantiation {
    private LayerInstantiation() {
    }

    static <L extends Layer> L wire(L layer, org.deeplearning4j.nn.conf.layers.Layer config, NeuralNetConfiguration conf,
                                    Collection<TrainingListener> listeners, int index, INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(config.initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
