package bnscope.core.probes;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything of a network that a probe may disturb, captured after the SGD step so it can be put
 * back exactly: the flat parameters (BatchNorm running statistics included), the flat gradient
 * view (the updater's last output), the network's and every layer's iteration and epoch counts,
 * the network input and labels, and the score. Layer-internal caches (inputs, BN batch
 * statistics) are cleared on restore, as {@code fit} itself leaves them.
 *
 * <p>Not restored: the output layer's own cached score, which the next {@code fit} recomputes
 * before any use ({@code net.score()} is restored).
 */
public final class NetworkState {
    private final MultiLayerNetwork net;
    private final INDArray params;
    private final INDArray gradientView;
    private final int iteration;
    private final int epoch;
    private final int[] layerIterations;
    private final int[] layerEpochs;
    private final INDArray input;
    private final INDArray labels;
    private final double score;

    private NetworkState(MultiLayerNetwork net) {
        this.net = net;
        this.params = net.params().dup();
        INDArray g = net.getFlattenedGradients();
        this.gradientView = g == null ? null : g.dup();
        this.iteration = net.getIterationCount();
        this.epoch = net.getEpochCount();
        Layer[] layers = net.getLayers();
        this.layerIterations = new int[layers.length];
        this.layerEpochs = new int[layers.length];
        for (int j = 0; j < layers.length; j++) {
            layerIterations[j] = layers[j].getIterationCount();
            layerEpochs[j] = layers[j].getEpochCount();
        }
        this.input = net.getInput();
        this.labels = net.getLabels();
        this.score = net.score();
    }

    public static NetworkState capture(MultiLayerNetwork net) {
        return new NetworkState(net);
    }

    /** The captured flat parameters (a private copy). */
    public INDArray params() {
        return params;
    }

    /**
     * Sets the network's and every layer's iteration count to {@code step}, so layers whose forward
     * pass depends on it (noisy BatchNorm draws its noise from the layer's iteration count) repeat
     * the draw of step {@code step}.
     */
    public static void pinIteration(MultiLayerNetwork net, int step) {
        net.setIterationCount(step);
        for (Layer layer : net.getLayers()) {
            layer.setIterationCount(step);
        }
    }

    /** Puts the network back exactly as captured. */
    public void restore() {
        net.clearLayersStates();
        net.setParams(params);
        if (gradientView != null) {
            net.getFlattenedGradients().assign(gradientView);
        }
        net.setIterationCount(iteration);
        net.setEpochCount(epoch);
        Layer[] layers = net.getLayers();
        for (int j = 0; j < layers.length; j++) {
            layers[j].setIterationCount(layerIterations[j]);
            layers[j].setEpochCount(layerEpochs[j]);
        }
        net.setInput(input);
        net.setLabels(labels);
        net.setScore(score);
    }
}
