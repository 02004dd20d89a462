package bnscope.core.theory;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One BatchNorm unit on one batch, exactly as the paper's analysis (Section 4, Appendix C) models
 * it: pre-BN activations y (m samples), μ = mean(y), σ the population standard deviation (no ε),
 * ŷ = (y − μ)/σ and output z = γŷ + β. Its backward pass is the paper's Fact C.1.
 */
public final class BatchNormUnit {
    private final double[] y;
    private final double gamma;
    private final double beta;
    private final double mean;
    private final double sigma;
    private final double[] normalized;

    private BatchNormUnit(double[] y, double gamma, double beta) {
        if (y.length < 2) {
            throw new IllegalArgumentException("a BatchNorm unit needs at least 2 samples, got " + y.length);
        }
        this.y = y.clone();
        this.gamma = gamma;
        this.beta = beta;
        this.mean = Vectors.sum(y) / y.length;
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean);
        }
        this.sigma = Math.sqrt(var / y.length);
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("pre-BN activations are constant (σ = 0): ŷ is undefined");
        }
        this.normalized = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            normalized[i] = (y[i] - mean) / sigma;
        }
    }

    public static BatchNormUnit of(double[] y, double gamma, double beta) {
        return new BatchNormUnit(y, gamma, beta);
    }

    /**
     * The values of unit {@code unit} across a batch of activations: column {@code unit} of a
     * [m, units] array, or channel {@code unit} of an [n, c, h, w] array in (n, h, w) order (for a
     * conv unit, height and width count as batch: m = n·h·w).
     */
    public static double[] unitValues(INDArray activations, int unit) {
        return unitView(activations, unit).dup('c').reshape(-1).toDoubleVector();
    }

    /**
     * A copy of {@code activations} with unit {@code unit}'s values replaced by {@code values}, in the
     * order {@link #unitValues} returns them; every other unit is unchanged.
     */
    public static INDArray withUnitValues(INDArray activations, int unit, double[] values) {
        INDArray copy = activations.dup('c');
        INDArray view = unitView(copy, unit);
        if (view.length() != values.length) {
            throw new IllegalArgumentException("unit " + unit + " has " + view.length() + " values, got " + values.length);
        }
        view.assign(Nd4j.create(values, view.shape(), 'c').castTo(activations.dataType()));
        return copy;
    }

    private static INDArray unitView(INDArray activations, int unit) {
        if (activations.rank() == 2) {
            return activations.get(NDArrayIndex.all(), NDArrayIndex.point(unit));
        }
        if (activations.rank() == 4) {
            return activations.get(NDArrayIndex.all(), NDArrayIndex.point(unit), NDArrayIndex.all(), NDArrayIndex.all());
        }
        throw new IllegalArgumentException("expected rank 2 or 4 activations, got rank " + activations.rank());
    }

    public int size() {
        return y.length;
    }

    public double[] preActivations() {
        return y.clone();
    }

    public double gamma() {
        return gamma;
    }

    public double beta() {
        return beta;
    }

    public double mean() {
        return mean;
    }

    /** Population standard deviation of y (divides by m, no ε). */
    public double sigma() {
        return sigma;
    }

    /** ŷ = (y − μ)/σ; note ⟨1, ŷ⟩ = 0 and ‖ŷ‖² = m. */
    public double[] normalized() {
        return normalized.clone();
    }

    /** z = γŷ + β. */
    public double[] output() {
        double[] z = new double[y.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = gamma * normalized[i] + beta;
        }
        return z;
    }

    /**
     * Fact C.1: ∂L/∂y = (γ/(mσ)) (m·g − 1⟨1,g⟩ − ŷ⟨g,ŷ⟩) for g = ∂L/∂z.
     */
    public double[] inputGradient(double[] g) {
        Vectors.requireSameLength(g, y);
        int m = y.length;
        double sumG = Vectors.sum(g);
        double gDotYHat = Vectors.dot(g, normalized);
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = gamma / (m * sigma) * (m * g[i] - sumG - normalized[i] * gDotYHat);
        }
        return out;
    }
}
