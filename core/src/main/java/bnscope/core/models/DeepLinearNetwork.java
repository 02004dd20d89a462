package bnscope.core.models;

import bnscope.core.data.LinearRegressionData;
import bnscope.core.BadInputException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossL2;


/**
 * The paper's deep linear network (DLN): {@code depth} square fully connected layers W_1…W_k
 * (25 of size 10×10 by default), no bias, no activation, Glorot-initialised, trained by full-batch
 * gradient descent on {@link LinearRegressionData}. An optional normalization layer follows every
 * weight layer but the last; a parameter-free {@link LossLayer} computes the loss.
 *
 * <p>Loss and step (our reading of "‖W x − A x‖²"; see {@link #LOSS} and {@link #STEP}): the loss
 * is the sum over the batch, L(W) = Σ_i ‖W_k⋯W_1 x_i − A x_i‖² (LossL2 is the per-example sum of
 * squared errors). DL4J's raw gradients are ∇L, and the network is configured with
 * {@code miniBatch(false)} so the updater does not divide them by the batch size: one fit is
 * W ← W − lr·∇L. DL4J's own score ({@code net.score(...)}) is still L / m (its LossLayer always
 * averages), so use {@link #loss} to report L. At lr 1e-6 this equals lr 1e-3 on the per-example
 * mean, a scale at which the paper's 10,000 steps make visible progress.
 *
 * <p>DL4J stores a dense weight as [nIn, nOut] and computes row-vector activations h·W, so its
 * W_i is the transpose of the paper's matrix; the product above is in the paper's orientation.
 */
public final class DeepLinearNetwork {
    public static final int DEFAULT_DEPTH = 25;
    public static final int DEFAULT_WIDTH = 10;
    public static final double DEFAULT_LEARNING_RATE = 1e-6;

    /** The training loss, as a run manifest should record it. */
    public static final String LOSS = "L(W) = sum over all examples i of ||W_k...W_1 x_i - A x_i||_2^2 "
            + "(DL4J LossL2, identity output; reported as DeepLinearNetwork.loss = DL4J score * batch size, "
            + "since DL4J's score is the per-example mean L/m)";
    /** The update, as a run manifest should record it. */
    public static final String STEP = "full-batch gradient descent: W <- W - lr * dL/dW "
            + "(plain Sgd, no momentum, no weight decay, no division by batch size)";
    /** The initialization, as a run manifest should record it. */
    public static final String INIT = "Glorot uniform, U(-sqrt(6/(fanIn+fanOut)), +sqrt(...)) "
            + "(DL4J WeightInit.XAVIER_UNIFORM), drawn from the configuration seed";

    private final MultiLayerNetwork network;
    private final Variant normalization;
    private final int depth;

    private DeepLinearNetwork(MultiLayerNetwork network, Variant normalization, int depth) {
        this.network = network;
        this.normalization = normalization;
        this.depth = depth;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The initialised DL4J network. */
    public MultiLayerNetwork network() {
        return network;
    }

    /** The variant: which normalization follows each weight layer but the last. */
    public Variant normalization() {
        return normalization;
    }

    /**
     * L(W) = Σ_i ‖W_k⋯W_1 x_i − A x_i‖² on {@code data}, the loss the step descends, in training mode
     * (batch statistics for a normalized variant; running statistics are not changed).
     */
    public double loss(DataSet data) {
        return network.score(data, true) * data.numExamples();
    }

    /** Number of weight layers k. */
    public int depth() {
        return depth;
    }

    /**
     * Index in {@link #network()} of the paper's weight layer #{@code weightLayer} (1-based, as the
     * paper numbers DLN layers #9 and #17); its weight is {@code getLayer(index).getParam("W")}.
     */
    public int layerIndexOfWeight(int weightLayer) {
        if (weightLayer < 1 || weightLayer > depth) {
            throw new BadInputException("DLN weight layer #" + weightLayer + " does not exist: the network has "
                    + depth + " weight layers, numbered 1.." + depth + ". Fix the probed layer list in the run config.");
        }
        return normalization == Variant.STANDARD ? weightLayer - 1 : 2 * (weightLayer - 1);
    }

    /** Settings of a {@link DeepLinearNetwork}; defaults are the paper's. */
    public static final class Builder {
        private int depth = DEFAULT_DEPTH;
        private int width = DEFAULT_WIDTH;
        private Variant normalization = Variant.STANDARD;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private long seed = 0;
        private DataType dataType = DataType.FLOAT;
        private Implementation implementation = Implementation.FUSED;

        private Builder() {
        }

        public Builder depth(int depth) {
            if (depth < 1) {
                throw new BadInputException("DLN depth must be >= 1, got " + depth + "; the paper uses 25.");
            }
            this.depth = depth;
            return this;
        }

        public Builder width(int width) {
            if (width < 1) {
                throw new BadInputException("DLN width must be >= 1, got " + width + "; the paper uses 10.");
            }
            this.width = width;
            return this;
        }

        /** standard, batchnorm, l1, l2 or linf (noisy BatchNorm is a VGG experiment and is refused). */
        public Builder normalization(Variant normalization) {
            this.normalization = java.util.Objects.requireNonNull(normalization, "normalization");
            if (normalization == Variant.NOISY_BATCHNORM) {
                throw new BadInputException("The deep linear network supports the variants standard, batchnorm, l1, l2 and linf; "
                        + "noisy-batchnorm is a VGG experiment (the paper's Section 2.1). Remove it from train.variants.");
            }
            return this;
        }

        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new BadInputException("DLN learning rate must be a positive number, got " + learningRate
                        + "; the paper uses 1e-6 and 1e-7.");
            }
            this.learningRate = learningRate;
            return this;
        }

        /** Seed of the weight initialization (record it in the run manifest). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How the normalization layers run; {@link Implementation#FUSED} by default (same function either way). */
        public Builder implementation(Implementation implementation) {
            this.implementation = java.util.Objects.requireNonNull(implementation, "implementation");
            return this;
        }

        /** FLOAT for training; DOUBLE for numerical checks. */
        public Builder dataType(DataType dataType) {
            this.dataType = java.util.Objects.requireNonNull(dataType, "dataType");
            return this;
        }

        public MultiLayerConfiguration configuration() {
            NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                    .seed(seed)
                    .dataType(dataType)
                    .miniBatch(false) // the step descends the sum over the batch, see class doc
                    .updater(new Sgd(learningRate))
                    .weightInit(WeightInit.XAVIER_UNIFORM)
                    .list();
            for (int k = 1; k <= depth; k++) {
                String name = "linear" + k;
                list.layer(new DenseLayer.Builder().nIn(width).nOut(width).hasBias(false)
                        .activation(Activation.IDENTITY).name(name).build());
                if (k < depth) {
                    for (Layer norm : NormalizationLayers.after(normalization, name, seed, null, implementation)) {
                        list.layer(norm);
                    }
                }
            }
            list.layer(new LossLayer.Builder().lossFunction(new LossL2()).activation(Activation.IDENTITY).build());
            return list.setInputType(InputType.feedForward(width)).build();
        }

        public DeepLinearNetwork build() {
            MultiLayerNetwork net = new MultiLayerNetwork(configuration());
            net.init();
            return new DeepLinearNetwork(net, normalization, depth);
        }
    }
}
