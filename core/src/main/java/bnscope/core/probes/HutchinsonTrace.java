package bnscope.core.probes;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Hutchinson's estimator of the trace of a symmetric operator A: tr(A) = E[zᵀAz] for z with
 * independent Rademacher (±1) entries, averaged over {@code samples} draws; the standard error is
 * the sample standard deviation of zᵀAz over √samples (NaN for one sample). Rademacher rather than
 * Gaussian z because its variance is the smallest among such estimators, 2·Σ_{i≠j} A_ij².
 *
 * @param trace         the estimate
 * @param standardError its standard error
 * @param samples       number of products it took
 */
public record HutchinsonTrace(double trace, double standardError, int samples) {

    /** The estimate for {@code operator} of size {@code dimension} from {@code samples} draws of {@code random}. */
    public static HutchinsonTrace of(UnaryOperator<double[]> operator, int dimension, int samples, SplittableRandom random) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        double mean = 0;
        double m2 = 0;
        for (int s = 0; s < samples; s++) {
            double[] z = new double[dimension];
            for (int d = 0; d < dimension; d++) {
                z[d] = random.nextBoolean() ? 1 : -1;
            }
            double q = DoubleVectors.dot(z, operator.apply(z));
            double delta = q - mean; // Welford's update: no cancellation between large sums
            mean += delta / (s + 1);
            m2 += delta * (q - mean);
        }
        double se = samples > 1 ? Math.sqrt(m2 / (samples - 1) / samples) : Double.NaN;
        return new HutchinsonTrace(mean, se, samples);
    }

    /** No estimate (trace_samples = 0). */
    public static HutchinsonTrace none() {
        return new HutchinsonTrace(Double.NaN, Double.NaN, 0);
    }
}
