package bnscope.core.layers;

import bnscope.core.BadInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.EmptyParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Configuration of the paper's "noisy BatchNorm" (Santurkar et al. 2018, Section 2.1 and Algorithm 1):
 * a layer that injects a random, time-varying distribution shift into the activations at every
 * training step, to test whether internal covariate shift hurts training.
 *
 * <p><b>Placement.</b> Put this layer directly after a standard DL4J
 * {@link org.deeplearning4j.nn.conf.layers.BatchNormalization} layer, before the non-linearity. The
 * noise therefore acts on BatchNorm's output <em>after</em> its learned γ/β (the paper does not say
 * which; this is our recorded choice): {@code a = γ·ŷ + β}, then {@code a ← s·a + m}.
 *
 * <p><b>Noise</b> (at every training forward pass; identity at evaluation). For every unit j (a dense
 * unit, or a conv channel): μ_j ~ U(−n_μ, n_μ), σ_j ~ U(1, n_σ). Then for every activation a_ij of
 * that unit: m_ij ~ U(μ_j − r_μ, μ_j + r_μ), s_ij ~ N(σ_j, r_σ) (r_σ is a standard deviation) and
 * a_ij ← s_ij·a_ij + m_ij. For conv inputs [n, c, h, w] the paper counts height and width as batch,
 * so every (sample, row, column) is a "sample" i of channel j: μ_j, σ_j are drawn per channel and
 * m, s per element. Defaults n_μ = 0.5, n_σ = 1.25, r_μ = r_σ = 0.1 (the paper's values).
 *
 * <p><b>Determinism.</b> The draw is a pure function of ({@link #getSeed() seed}, the layer's index in
 * the network, the training iteration) and of the {@link #getGenerator() generator}: {@link SplitMixNoise}
 * (the default) or libnd4j's, see {@link DistributionShift}. The iteration is the layer's
 * own counter {@link Layer#getIterationCount()}: {@code MultiLayerNetwork} copies its configuration's
 * iteration count (the number of completed updates) into every layer at the start of each
 * {@code fit} step, so the step that takes update t uses noise t. {@code calculateGradients} does
 * <em>not</em> copy it; a probe that recomputes gradients for step t calls
 * {@link #setIteration(MultiLayerNetwork, int)} first and gets the same noise the training step saw.
 */
public class NoisyBatchNorm extends NoParamLayer {
    public static final double DEFAULT_N_MU = 0.5;
    public static final double DEFAULT_N_SIGMA = 1.25;
    public static final double DEFAULT_R_MU = 0.1;
    public static final double DEFAULT_R_SIGMA = 0.1;

    private long seed;
    /** n_μ: unit means μ_j are drawn from U(−n_μ, n_μ). */
    private double meanSpread = DEFAULT_N_MU;
    /** n_σ: unit scales σ_j are drawn from U(1, n_σ). */
    private double scaleMax = DEFAULT_N_SIGMA;
    /** r_μ: m_ij is drawn from U(μ_j − r_μ, μ_j + r_μ). */
    private double meanJitter = DEFAULT_R_MU;
    /** r_σ: s_ij is drawn from N(σ_j, r_σ²). */
    private double scaleJitter = DEFAULT_R_SIGMA;
    /**
     * Layout of conv activations, taken from the input type: NHWC in channels-last networks
     * ({@code model.implementation = fused}), where the layer still draws its noise in NCHW order, so the
     * same element gets the same draw in both layouts.
     */
    private CNN2DFormat cnn2dFormat = CNN2DFormat.NCHW;
    /**
     * The random stream; {@link NoiseGenerator#ND4J} when a saved configuration has none (every noisy
     * network saved before issue 15 drew from it). The builder's default is {@link NoiseGenerator#SPLITMIX}.
     */
    private NoiseGenerator generator = NoiseGenerator.ND4J;

    /** For JSON and Java/Kryo deserialization only. */
    public NoisyBatchNorm() {
    }

    private NoisyBatchNorm(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.meanSpread = builder.meanSpread;
        this.scaleMax = builder.scaleMax;
        this.meanJitter = builder.meanJitter;
        this.scaleJitter = builder.scaleJitter;
        this.generator = builder.generator;
    }

    /**
     * Sets the iteration the noise is keyed to, on the network and on each of its layers. Use before
     * {@code calculateGradients}/{@code output(x, true)} when the noise must be that of training step
     * {@code iteration} (usually {@code net.getIterationCount()}); {@code fit} does this by itself.
     */
    public static void setIteration(MultiLayerNetwork net, int iteration) {
        net.setIterationCount(iteration);
        for (Layer layer : net.getLayers()) {
            layer.setIterationCount(iteration);
        }
    }

    /** The noise parameters of this layer, as one value. */
    public DistributionShift.Parameters noiseParameters() {
        return new DistributionShift.Parameters(meanSpread, scaleMax, meanJitter, scaleJitter, generator);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerInstantiation.wire(new NoisyBatchNormLayer(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public org.deeplearning4j.nn.api.ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("NoisyBatchNorm layer " + layerIndex + " got no input type");
        }
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            cnn2dFormat = c.getFormat();
        }
    }

    public CNN2DFormat getCnn2dFormat() {
        return cnn2dFormat;
    }

    public void setCnn2dFormat(CNN2DFormat cnn2dFormat) {
        this.cnn2dFormat = cnn2dFormat;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long perExample = inputType.arrayElementsPerExample();
        // Training keeps s (one activation-sized array) for backprop and needs one for m.
        return new LayerMemoryReport.Builder(layerName, NoisyBatchNorm.class, inputType, inputType)
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 2 * perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public long getSeed() {
        return seed;
    }

    public void setSeed(long seed) {
        this.seed = seed;
    }

    public double getMeanSpread() {
        return meanSpread;
    }

    public void setMeanSpread(double meanSpread) {
        this.meanSpread = meanSpread;
    }

    public double getScaleMax() {
        return scaleMax;
    }

    public void setScaleMax(double scaleMax) {
        this.scaleMax = scaleMax;
    }

    public double getMeanJitter() {
        return meanJitter;
    }

    public void setMeanJitter(double meanJitter) {
        this.meanJitter = meanJitter;
    }

    public double getScaleJitter() {
        return scaleJitter;
    }

    public void setScaleJitter(double scaleJitter) {
        this.scaleJitter = scaleJitter;
    }

    public NoiseGenerator getGenerator() {
        return generator;
    }

    public void setGenerator(NoiseGenerator generator) {
        this.generator = generator;
    }

    @Override
    public NoisyBatchNorm clone() {
        return (NoisyBatchNorm) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof NoisyBatchNorm other) || !other.canEqual(this) || !super.equals(o)) {
            return false;
        }
        return seed == other.seed
                && Double.compare(meanSpread, other.meanSpread) == 0
                && Double.compare(scaleMax, other.scaleMax) == 0
                && Double.compare(meanJitter, other.meanJitter) == 0
                && Double.compare(scaleJitter, other.scaleJitter) == 0
                && cnn2dFormat == other.cnn2dFormat
                && generator == other.generator;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof NoisyBatchNorm;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, meanSpread, scaleMax, meanJitter, scaleJitter, cnn2dFormat, generator);
    }

    @Override
    public String toString() {
        return "NoisyBatchNorm(name=" + layerName + ", seed=" + seed + ", n_mu=" + meanSpread
                + ", n_sigma=" + scaleMax + ", r_mu=" + meanJitter + ", r_sigma=" + scaleJitter + ", generator=" + generator + ")";
    }

    /** Builds a {@link NoisyBatchNorm}; the seed is required so that every run records it. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private final long seed;
        private double meanSpread = DEFAULT_N_MU;
        private double scaleMax = DEFAULT_N_SIGMA;
        private double meanJitter = DEFAULT_R_MU;
        private double scaleJitter = DEFAULT_R_SIGMA;
        private NoiseGenerator generator = NoiseGenerator.SPLITMIX;

        public Builder(long seed) {
            this.seed = seed;
        }

        /** n_μ ≥ 0: unit means μ_j ~ U(−n_μ, n_μ). */
        public Builder nMu(double nMu) {
            this.meanSpread = nMu;
            return this;
        }

        /** n_σ ≥ 1: unit scales σ_j ~ U(1, n_σ). */
        public Builder nSigma(double nSigma) {
            this.scaleMax = nSigma;
            return this;
        }

        /** r_μ ≥ 0: m_ij ~ U(μ_j − r_μ, μ_j + r_μ). */
        public Builder rMu(double rMu) {
            this.meanJitter = rMu;
            return this;
        }

        /** r_σ ≥ 0, a standard deviation: s_ij ~ N(σ_j, r_σ²). */
        public Builder rSigma(double rSigma) {
            this.scaleJitter = rSigma;
            return this;
        }

        /** The random stream of the draws (default {@link NoiseGenerator#SPLITMIX}). */
        public Builder generator(NoiseGenerator generator) {
            this.generator = generator;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public NoisyBatchNorm build() {
            new DistributionShift.Parameters(meanSpread, scaleMax, meanJitter, scaleJitter, generator).validate();
            return new NoisyBatchNorm(this);
        }
    }

    static BadInputException badParameter(String name, double value, String expected) {
        return new BadInputException("Noisy BatchNorm parameter " + name + " = " + value + " is invalid: it must be "
                + expected + " (paper defaults: n_mu=0.5, n_sigma=1.25, r_mu=0.1, r_sigma=0.1). Fix the value in the "
                + "run configuration.");
    }
}
