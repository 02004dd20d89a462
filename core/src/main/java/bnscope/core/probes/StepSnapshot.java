package bnscope.core.probes;

import bnscope.core.snapshots.StepKey;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the probes of one SGD step get: the network (to recompute with; the observer restores it
 * after every probe), the step's minibatch, and the state around the step.
 *
 * @param net            the network; its iteration count is pinned to {@code iteration}
 * @param features       the minibatch features
 * @param labels         the minibatch labels
 * @param key            row key of this worker step
 * @param iteration      the network's iteration count at w_step (noise draws depend on it)
 * @param paramsBefore   flat parameters w_step (copy)
 * @param paramsAfter    flat parameters w_step+1 (copy)
 * @param gradient       raw minibatch gradient G at w_step from the fit itself (sum over examples; copy)
 * @param loss           training-mode minibatch loss at w_step, as the fit computed it
 * @param learningRate   the step's learning rate
 * @param batchSize      examples in the minibatch
 * @param layers         weight layers and parameter offsets of {@code net}
 * @param seed           run seed (for probes that sample)
 */
public record StepSnapshot(MultiLayerNetwork net, INDArray features, INDArray labels, StepKey key, int iteration,
                           INDArray paramsBefore, INDArray paramsAfter, INDArray gradient, double loss,
                           double learningRate, int batchSize, WeightLayers layers, long seed) {

    /** A training-mode pass engine over {@link #net()}. */
    public NetworkPass pass() {
        return new NetworkPass(net);
    }
}
