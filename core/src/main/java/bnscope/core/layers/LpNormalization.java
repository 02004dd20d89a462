package bnscope.core.layers;

import bnscope.core.BadInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the ℓp normalization layer of the paper's Section 3.3 ("is BatchNorm the only
 * smoother?"): per unit j, over the m samples of a batch,
 * <pre>
 *   y_ij = (x_ij − μ_j) / (N_j + eps),   N_j = ((1/m) Σ_i |x_ij|^p)^{1/p}   (p = ∞: N_j = max_i |x_ij|)
 *   z_ij = γ_j y_ij + β_j
 * </pre>
 * The norm N_j is taken on the input <em>before</em> the mean shift, as the paper states. For
 * convolutional input [n,c,h,w] a unit is a channel and (n,h,w) all count as batch; for dense
 * input [n,units] a unit is a column.
 *
 * <p>Our choices where the paper is silent:
 * <ul>
 *   <li>{@code eps} (default 1e-5, as DL4J's BatchNorm) is added to the norm N_j, not inside it,
 *       so an all-zero unit gives y = 0 instead of 0/0.</li>
 *   <li>Evaluation uses running averages of μ_j and N_j (decay 0.9, initial 0 and 1), like DL4J's
 *       BatchNorm, so test outputs do not depend on the test batch. The running values are stored
 *       as parameters with a {@link NoOp} updater and no minibatch division, and their "gradient"
 *       entries are statistic updates {@code (1−decay)·(running − batch)} that the SGD step turns
 *       into the moving average; they are not gradients (see {@link RunningStatistics}). Keeping
 *       them in the parameter vector makes them survive checkpoints and Spark parameter averaging.</li>
 *   <li>Backpropagation always differentiates the training-mode (batch statistics) function.</li>
 * </ul>
 */
public class LpNormalization extends FeedForwardLayer {

    /** The ℓp norms the paper compares with BatchNorm. */
    public enum Norm {
        L1(1.0), L2(2.0), LINF(Double.POSITIVE_INFINITY);

        private final double p;

        Norm(double p) {
            this.p = p;
        }

        public double p() {
            return p;
        }

        /** The norm for p = 1, 2 or {@link Double#POSITIVE_INFINITY}; anything else is refused. */
        public static Norm of(double p) {
            for (Norm n : values()) {
                if (n.p == p) {
                    return n;
                }
            }
            throw new BadInputException("ℓp normalization supports p = 1, 2 or infinity, got p = " + p
                    + ". The paper (Section 3.3) compares exactly these three; pass one of them.");
        }
    }

    public static final double DEFAULT_EPS = 1e-5;
    public static final double DEFAULT_DECAY = 0.9;

    // Fields, not getters, are what DL4J's JSON mapper writes; keep them non-final with defaults so
    // the no-argument constructor Jackson uses yields a valid layer.
    protected Norm norm = Norm.L2;
    protected double eps = DEFAULT_EPS;
    protected double decay = DEFAULT_DECAY;
    protected CNN2DFormat cnn2dFormat = CNN2DFormat.NCHW;

    protected LpNormalization() {
        // for JSON deserialization
    }

    private LpNormalization(Builder builder) {
        super(builder);
        this.norm = builder.norm;
        this.eps = builder.eps;
        this.decay = builder.decay;
        initializeConstraints(builder);
    }

    public Norm getNorm() {
        return norm;
    }

    /** p of the norm: 1, 2 or {@link Double#POSITIVE_INFINITY}. */
    public double getP() {
        return norm.p();
    }

    public double getEps() {
        return eps;
    }

    public double getDecay() {
        return decay;
    }

    public CNN2DFormat getCnn2dFormat() {
        return cnn2dFormat;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        if (getNOut() <= 0) {
            throw new IllegalStateException("LpNormalization layer " + layerIndex
                    + " has no size: give the network an input type (setInputType) or set nOut");
        }
        return LayerInstantiation.wire(new LpNormalizationLayer(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return LpNormalizationParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        checkSupported(inputType, layerIndex);
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        checkSupported(inputType, -1);
        if (nIn <= 0 || override) {
            if (inputType.getType() == InputType.Type.FF) {
                nIn = ((InputType.InputTypeFeedForward) inputType).getSize();
            } else {
                InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
                nIn = c.getChannels();
                cnn2dFormat = c.getFormat();
            }
            nOut = nIn;
        }
    }

    private void checkSupported(InputType inputType, int layerIndex) {
        if (inputType == null || (inputType.getType() != InputType.Type.FF
                && inputType.getType() != InputType.Type.CNN)) {
            throw new IllegalStateException("LpNormalization (layer " + layerIndex + ", name " + getLayerName()
                    + ") accepts dense (FF) or convolutional (CNN) input, got " + inputType);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        // Like BatchNorm's γ/β: never regularized; running statistics are not trainable at all.
        return List.of();
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        switch (paramName) {
            case LpNormalizationParamInitializer.GAMMA:
            case LpNormalizationParamInitializer.BETA:
                return iUpdater;
            case LpNormalizationParamInitializer.RUNNING_MEAN:
            case LpNormalizationParamInitializer.RUNNING_NORM:
                return new NoOp();
            default:
                throw new IllegalArgumentException("Unknown LpNormalization parameter \"" + paramName + "\"");
        }
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterState = 0;
        for (String key : LpNormalizationParamInitializer.KEYS) {
            updaterState += getUpdaterByParam(key).stateSize(nOut);
        }
        long perExample = inputType.arrayElementsPerExample();
        // training keeps the input reshaped to rows plus y and the gradient temporaries
        return new LayerMemoryReport.Builder(layerName, LpNormalization.class, inputType, outputType)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, 2 * perExample, 4 * nOut, 4 * perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public LpNormalization clone() {
        return (LpNormalization) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LpNormalization other) || !super.equals(o)) {
            return false;
        }
        return norm == other.norm && Double.compare(eps, other.eps) == 0
                && Double.compare(decay, other.decay) == 0 && cnn2dFormat == other.cnn2dFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), norm, eps, decay, cnn2dFormat);
    }

    @Override
    public String toString() {
        return "LpNormalization(p=" + norm.p() + ", eps=" + eps + ", decay=" + decay + ", nOut=" + nOut
                + ", layerName=" + layerName + ")";
    }

    /** Builder: {@code new LpNormalization.Builder(1.0).build()}, p ∈ {1, 2, ∞}. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private Norm norm;
        private double eps = DEFAULT_EPS;
        private double decay = DEFAULT_DECAY;

        public Builder(double p) {
            this.norm = Norm.of(p);
        }

        public Builder(Norm norm) {
            this.norm = Objects.requireNonNull(norm, "norm");
        }

        /** Added to the norm N_j (default 1e-5); must be ≥ 0. */
        public Builder eps(double eps) {
            if (!(eps >= 0)) {
                throw new BadInputException("LpNormalization eps must be >= 0, got " + eps);
            }
            this.eps = eps;
            return this;
        }

        /** Running-average decay for evaluation statistics (default 0.9); must be in [0, 1]. */
        public Builder decay(double decay) {
            if (!(decay >= 0 && decay <= 1)) {
                throw new BadInputException("LpNormalization decay must be in [0, 1], got " + decay);
            }
            this.decay = decay;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LpNormalization build() {
            return new LpNormalization(this);
        }
    }
}
