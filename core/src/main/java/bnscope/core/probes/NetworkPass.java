package bnscope.core.probes;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Training-mode forward and backward passes through a network, layer by layer, able to start at
 * any layer. This is what makes the ICS probe cheaper than one full {@code calculateGradients} per
 * layer: for G'_i the layers before weight layer i only contribute their post-step output on the
 * minibatch, which one forward pass at the post-step parameters caches for every i; each G'_i then
 * costs a forward and backward through layers i..k only.
 *
 * <p>It follows MultiLayerNetwork's own training pass (input preprocessors, output layer labels,
 * backprop then score) without workspaces, so every array it returns is detached. It writes
 * gradients into the network's gradient view and leaves layer inputs set: the caller restores the
 * network afterwards ({@link NetworkState}). Forward passes draw no random numbers as long as the
 * network has no dropout or weight noise (StepObserver refuses those).
 */
public final class NetworkPass {
    private final MultiLayerNetwork net;
    private final LayerWorkspaceMgr mgr;

    public NetworkPass(MultiLayerNetwork net) {
        this.net = net;
        this.mgr = LayerWorkspaceMgr.noWorkspaces();
        this.mgr.setHelperWorkspacePointers(new HashMap<>());
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView(); // a network that never computed a gradient has no views to backprop into
        }
    }

    /**
     * Score and gradient of one pass; {@code gradient} is the network's flat gradient view, valid until
     * the next pass. {@code inputGradient} is ∂L/∂(input of the pass's first layer), the array that layer
     * received after its input preprocessor (the backprop epsilon DL4J hands to the layer before it), for
     * the same summed loss the raw gradients are of; a private copy.
     */
    public record Result(double score, INDArray gradient, INDArray inputGradient) {
    }

    /**
     * Training-mode forward pass from the network input at the current parameters. Element j is the
     * array layer j receives, before its input preprocessor (element 0 is the features); there is one
     * element per layer, the last being the output layer's input. Each element is a private copy,
     * safe from layers that modify their input in place.
     */
    public List<INDArray> layerInputs(INDArray features) {
        Layer[] layers = net.getLayers();
        int mb = (int) features.size(0);
        net.setInputMiniBatchSize(mb);
        List<INDArray> inputs = new ArrayList<>(layers.length);
        INDArray a = cast(features);
        inputs.add(a.dup());
        for (int j = 0; j < layers.length - 1; j++) {
            a = preprocess(j, a, mb);
            a = layers[j].activate(a, true, mgr);
            inputs.add(a.dup());
        }
        return inputs;
    }

    /** The array layer {@code j} actually sees: {@code raw} passed through layer j's input preprocessor, if any. */
    public INDArray preprocessed(int j, INDArray raw) {
        return preprocess(j, raw, (int) raw.size(0));
    }

    /**
     * Forward from layer {@code from} (given its raw input, as from {@link #layerInputs}) through
     * the output layer at the current parameters, then backward down to layer {@code from}.
     * Gradients of layers {@code from..n-1} are then in {@link Result#gradient()} (raw minibatch
     * sums, as DL4J computes them); entries of earlier layers are stale. Starting at a layer with its
     * input changed (e.g. one BatchNorm unit's output replaced) gives the loss gradient as a function
     * of that input, which is how the theory checks differentiate through the rest of the network.
     */
    public Result run(int from, INDArray inputToFrom, INDArray labels) {
        Layer[] layers = net.getLayers();
        int n = layers.length;
        int mb = (int) labels.size(0);
        net.setInputMiniBatchSize(mb);
        INDArray a = from == 0 ? cast(inputToFrom) : inputToFrom.dup();
        for (int j = from; j < n - 1; j++) {
            a = preprocess(j, a, mb);
            a = layers[j].activate(a, true, mgr);
        }
        a = preprocess(n - 1, a, mb);
        IOutputLayer out = (IOutputLayer) net.getOutputLayer();
        out.setInput(a, mgr);
        out.setLabels(cast(labels));

        Pair<Gradient, INDArray> p = out.backpropGradient(null, mgr);
        INDArray eps = p.getSecond();
        for (int j = n - 1; j > from; j--) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(j);
            if (pre != null) {
                eps = pre.backprop(eps, mb, mgr);
            }
            p = layers[j - 1].backpropGradient(eps, mgr);
            eps = p.getSecond();
        }
        double score = out.computeScore(net.calcRegularizationScore(true), true, mgr);
        return new Result(score, net.getFlattenedGradients(), eps.dup());
    }

    private INDArray preprocess(int j, INDArray a, int mb) {
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(j);
        return pre == null ? a : pre.preProcess(a, mb, mgr);
    }

    private INDArray cast(INDArray array) {
        return array.dataType() == net.getLayerWiseConfigurations().getDataType()
                ? array : array.castTo(net.getLayerWiseConfigurations().getDataType());
    }
}
