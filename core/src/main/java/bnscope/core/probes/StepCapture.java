package bnscope.core.probes;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Listens to one {@code fit} call and keeps what the step computed anyway: the raw minibatch
 * gradient G at w_step (before the updater scales it and the step consumes it) and the minibatch
 * accuracy of the training-mode forward pass. Attached by {@link StepObserver#before}, removed by
 * {@link StepObserver#after}.
 *
 * <p>Accuracy is read after backprop from the output layer, whose input is still the fit's own
 * training-mode activation: one extra output-layer forward (a matrix product), no extra pass through
 * the network and no random draws. It is NaN unless the output layer is softmax (a classifier).
 */
final class StepCapture extends BaseTrainingListener {
    private boolean keepGradient;
    private INDArray gradient;
    private double accuracy = Double.NaN;
    private int calls;

    void arm(boolean keepGradient) {
        this.keepGradient = keepGradient;
        this.gradient = null;
        this.accuracy = Double.NaN;
        this.calls = 0;
    }

    @Override
    public void onBackwardPass(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            accuracy = accuracyOf(net);
        }
    }

    @Override
    public void onGradientCalculation(Model model) {
        calls++;
        if (keepGradient) {
            gradient = model.gradient().gradient().dup();
        }
    }

    /** Raw gradient G at w_step (sum over the minibatch, running-statistic entries included), or null if not kept. */
    INDArray gradient() {
        return gradient;
    }

    double accuracy() {
        return accuracy;
    }

    /** Number of gradient computations seen since {@link #arm}; 1 for one SGD step. */
    int calls() {
        return calls;
    }

    private static double accuracyOf(MultiLayerNetwork net) {
        Layer out = net.getOutputLayer();
        if (!(out.conf().getLayer() instanceof BaseOutputLayer conf)
                || !(conf.getActivationFn() instanceof ActivationSoftmax)
                || net.getLabels() == null) {
            return Double.NaN;
        }
        INDArray predictions = out.activate(false, LayerWorkspaceMgr.noWorkspaces());
        long[] predicted = predictions.argMax(1).toLongVector();
        long[] actual = net.getLabels().argMax(1).toLongVector();
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == actual[i]) {
                correct++;
            }
        }
        return correct / (double) predicted.length;
    }
}
