package bnscope.core.probes;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Hessian-vector products of a step's training objective at w_step, over the trainable parameters
 * (running statistics excluded), on the step's minibatch in training mode with the step's noise
 * draw. DL4J has no second-order backward pass, so a product is a central difference of gradients,
 * H v ≈ (∇L(w + εv) − ∇L(w − εv)) / 2ε, evaluated on a double-precision copy of the network (the
 * trained network is never touched).
 *
 * <p>Precision and step: the step is relative, ε‖v‖ = h·max(‖w_B‖, 1) with h = probe.sharpness.fd_step
 * and w_B the parameters the direction lives on. For a smooth loss the error is truncation,
 * ε²‖∇³L‖/6, plus rounding, about u·‖∇L‖/ε (u = 2⁻⁵³ in double), which would put h near u^⅓ ≈ 1e-5.
 * But ReLU and max-pooling make the gradient only piecewise smooth: a difference whose two points
 * straddle a kink picks up the gradient's jump divided by 2ε, an error that does not shrink with ε
 * (only the chance of straddling does, in proportion to ε times the number of units). So h is as
 * small as double rounding allows: the default 1e-9 keeps rounding near 1e-7 relative and makes a
 * straddle rare even for vgg-mini (≈ 4 M ReLU units per 64-example minibatch). Measured on a
 * 2-conv-layer VGG at batch 16 (SharpnessProbeTest): h = 1e-5 and 1e-6 give residuals of 0.5,
 * h from 1e-7 to 1e-10 the same λ₁ to 1e-7 with residuals ≤ 1e-7. In float32 no step would do,
 * hence the double-precision copy. The measured residual per eigenvalue shows any straddle that
 * happens. On real CIFAR-10 minibatches h = 1e-9 is not always small enough: vgg-mini batchnorm at
 * step 0, batch 128, gave λ₁ ≈ 3·10⁵ with residual 2.7 at h = 1e-9, residual 0.23 at 1e-10 and
 * λ₁ = 198.4 with residual 6·10⁻⁴ at 1e-11, while products along random directions agreed to 5e-6
 * between 1e-9 and 1e-10 (Lanczos' later vectors concentrate on few layers, so each unit moves
 * further for the same ‖εv‖); {@link SharpnessProbe} therefore redoes a measurement with h/10
 * while its residual says it is not reliable.
 *
 * <p>The objective is the one the SGD step descends: the mean minibatch loss for a network trained
 * on it (G / batch size), the summed loss for one trained with {@code miniBatch(false)} (the deep
 * linear network), so λ_max compares with 2/η directly.
 */
public final class FiniteDifferenceHessian {
    /** Relative size of the base-point jitter, ‖δw‖ / ‖w‖ (see {@link #jittered}). */
    public static final double JITTER = 1e-5;
    private static final int JITTER_STREAM = 2;

    private final MultiLayerNetwork copy;
    private final NetworkPass pass;
    private final INDArray features;
    private final INDArray labels;
    private final WeightLayers layers;
    private final double[] flat0;
    private final long[] shape;
    private final double[] w0;
    private final double divisor;
    private final double relativeStep;
    private int gradients;

    /** The Hessian at {@code s.paramsBefore()} of the objective of step {@code s}, with relative step {@code relativeStep}. */
    public FiniteDifferenceHessian(StepSnapshot s, double relativeStep) {
        if (!(relativeStep > 0) || relativeStep >= 1) {
            throw new IllegalArgumentException("relative step must be in (0, 1), got " + relativeStep);
        }
        this.copy = DoublePrecisionCopy.of(s.net(), s.iteration());
        INDArray p = s.paramsBefore().castTo(DataType.DOUBLE);
        this.shape = p.shape();
        this.flat0 = p.dup('c').data().asDouble();
        this.pass = new NetworkPass(copy);
        this.features = s.features().castTo(DataType.DOUBLE);
        this.labels = s.labels().castTo(DataType.DOUBLE);
        this.layers = s.layers();
        this.w0 = jittered(LandscapeProbe.trainable(p, s.layers()),
                new SplittableRandom(ActivationSummary.seedFor(s.seed(), s.key().step(), 0, JITTER_STREAM)));
        this.divisor = s.net().conf().isMiniBatch() ? s.batchSize() : 1.0;
        this.relativeStep = relativeStep;
    }

    /**
     * The point the products are taken at: w_step moved by a seeded random δw with ‖δw‖ = JITTER·‖w‖.
     * Some kinks lie exactly at w_step: at step 0 every bias is 0, so a unit whose input region is
     * all zeros (dead ReLUs before it) has pre-activation exactly 0, and every difference straddles
     * its kink (a real run gave λ₁ ≈ 6·10⁵ with residual 0.8). The jitter moves such points a
     * distance ≈ 10⁴ times the difference step away from their kink; it changes a smooth Hessian by
     * about 1e-5 relative, and picks one side of an exact kink, as automatic differentiation does.
     */
    private static double[] jittered(double[] w, SplittableRandom random) {
        double[] r = new double[w.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Lanczos.gaussian(random);
        }
        double scale = JITTER * Math.max(DoubleVectors.norm(w), 1.0) / DoubleVectors.norm(r);
        double[] out = w.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += scale * r[i];
        }
        return out;
    }

    private FiniteDifferenceHessian(FiniteDifferenceHessian other, double relativeStep) {
        this.copy = other.copy;
        this.pass = other.pass;
        this.features = other.features;
        this.labels = other.labels;
        this.layers = other.layers;
        this.flat0 = other.flat0;
        this.shape = other.shape;
        this.w0 = other.w0;
        this.divisor = other.divisor;
        this.relativeStep = relativeStep;
    }

    /**
     * The same Hessian (same copy, minibatch and jittered point) with another relative step, for a
     * measurement that is redone with a smaller step ({@link SharpnessProbe}). Shares the copy: use
     * one of the two at a time.
     */
    public FiniteDifferenceHessian withStep(double relativeStep) {
        if (!(relativeStep > 0) || relativeStep >= 1) {
            throw new IllegalArgumentException("relative step must be in (0, 1), got " + relativeStep);
        }
        return new FiniteDifferenceHessian(this, relativeStep);
    }

    /** The relative step h of the products (probe.sharpness.fd_step, or smaller after a retry). */
    public double relativeStep() {
        return relativeStep;
    }

    /** Number of trainable parameters (the Hessian's size). */
    public int dimension() {
        return w0.length;
    }

    /** The trainable parameters the products are taken at (w_step, jittered), in flat order (a copy). */
    public double[] point() {
        return w0.clone();
    }

    /** Gradient of the objective at trainable parameters {@code w} (running statistics at their w_step values). */
    public double[] gradient(double[] w) {
        double[] flat = flat0.clone();
        int at = 0;
        for (ParamSlice t : layers.trainable()) {
            System.arraycopy(w, at, flat, (int) t.offset(), (int) t.length());
            at += (int) t.length();
        }
        INDArray params = Nd4j.create(flat, shape, 'c');
        copy.setParams(params);
        params.close();
        INDArray g = pass.run(0, features, labels).gradient();
        gradients++;
        double[] out = LandscapeProbe.trainable(g, layers);
        copy.clearLayersStates();
        for (int i = 0; i < out.length; i++) {
            out[i] /= divisor;
        }
        return out;
    }

    /**
     * H v by a central difference with step ε = h·max(‖w_B‖, 1)/‖v‖, where {@code scale} = ‖w_B‖ is
     * the norm of the parameters v lives on (all trainable parameters, or one layer's).
     */
    public double[] product(double[] v, double scale) {
        double vNorm = DoubleVectors.norm(v);
        if (vNorm == 0) {
            return new double[v.length];
        }
        double eps = step(scale) / vNorm;
        double[] plus = w0.clone();
        double[] minus = w0.clone();
        for (int i = 0; i < v.length; i++) {
            plus[i] += eps * v[i];
            minus[i] -= eps * v[i];
        }
        double[] gp = gradient(plus);
        double[] gm = gradient(minus);
        releaseNativeMemory();
        double[] out = new double[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (gp[i] - gm[i]) / (2 * eps);
        }
        return out;
    }

    /** The distance ‖εv‖ a product moves the parameters: h·max(scale, 1). */
    public double step(double scale) {
        return relativeStep * Math.max(scale, 1.0);
    }

    /**
     * A pass outside DL4J's workspaces (NetworkPass) allocates every activation off the Java heap,
     * freed only when the garbage collector finds the arrays unreachable; the heap itself barely
     * grows, so without a collection a probe of tens of passes kept gigabytes (a vgg-mini probe
     * went past 15 GB and was killed). One collection per product bounds it to about two passes.
     */
    private static void releaseNativeMemory() {
        System.gc();
    }

    /** Gradient evaluations so far (two per product). */
    public int gradients() {
        return gradients;
    }
}
