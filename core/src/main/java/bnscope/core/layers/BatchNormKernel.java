package bnscope.core.layers;

import org.deeplearning4j.nn.layers.LayerHelper;

import java.util.Map;

/**
 * BatchNorm's arithmetic fused into passes over one buffer (issue 15), for a layout of
 * {@code outer × units × inner} elements: NCHW is (n, c, h·w), NHWC (n·h·w, c, 1), dense (n, units, 1).
 * Per unit j over its m = outer·inner values, accumulating in double:
 * <pre>
 *   forward   μ_j, σ²_j (biased) in one pass; y = γ_j (x − μ_j)/√(σ²_j + eps) + β_j in a second
 *   backward  with x̂ = (x − μ)/√(σ² + eps):  ∂L/∂β_j = Σ g,  ∂L/∂γ_j = Σ g·x̂,
 *             ∂L/∂x = γ_j/√(σ²_j + eps) · (g − Σg/m − x̂ · Σ(g·x̂)/m)       (one pass for the sums, one to write)
 * </pre>
 * This is the function DL4J's BatchNormalization computes (and its oneDNN helper); DL4J runs it
 * as a mean, a variance (libnd4j's summary-statistics reduction, the slowest part), a oneDNN
 * inference-mode primitive and oneDNN's backward, with reorders around them. The statistics are
 * computed with each unit's first value as shift, so a large mean does not cancel the variance.
 * Buffers are {@code double[]} copies of the arrays ({@link ArrayValues}): plain loops the JIT compiles
 * well, and double accumulation for the float network.
 *
 * <p>It also serves as its layer's {@link LayerHelper}, so the run manifest's helper list names it.
 */
public final class BatchNormKernel implements LayerHelper {

    /** Per-unit batch mean and biased variance. */
    public record Statistics(double[] mean, double[] variance) {
    }

    /** Layout of a buffer: outer × units × inner elements in c order. */
    public record Layout(int outer, int units, int inner) {
        int count() {
            return outer * inner;
        }
    }

    /** μ and σ² of every unit, in one pass. */
    public Statistics statistics(double[] x, Layout l) {
        int units = l.units();
        double[] shift = new double[units];
        for (int j = 0; j < units; j++) {
            shift[j] = x[j * l.inner()];
        }
        double[] sum = new double[units];
        double[] squares = new double[units];
        int k = 0;
        if (l.inner() == 1) { // channels-last and dense: units are the fastest axis, loops run over them
            for (int o = 0; o < l.outer(); o++, k += units) {
                for (int j = 0; j < units; j++) {
                    double d = x[k + j] - shift[j];
                    sum[j] += d;
                    squares[j] += d * d;
                }
            }
        } else for (int o = 0; o < l.outer(); o++) {
            for (int j = 0; j < units; j++) {
                double s = shift[j];
                double a = 0;
                double b = 0;
                for (int i = 0; i < l.inner(); i++, k++) {
                    double d = x[k] - s;
                    a += d;
                    b += d * d;
                }
                sum[j] += a;
                squares[j] += b;
            }
        }
        double m = l.count();
        double[] mean = new double[units];
        double[] variance = new double[units];
        for (int j = 0; j < units; j++) {
            double d = sum[j] / m;
            mean[j] = shift[j] + d;
            variance[j] = Math.max(0, squares[j] / m - d * d);
        }
        return new Statistics(mean, variance);
    }

    /** out = γ (x − μ)/√(σ² + eps) + β with the given statistics; {@code out} may be {@code x}. */
    public void normalize(double[] x, Layout l, Statistics stats, double[] gamma, double[] beta, double eps,
                          double[] out) {
        int units = l.units();
        double[] scale = new double[units];
        for (int j = 0; j < units; j++) {
            scale[j] = gamma[j] / Math.sqrt(stats.variance()[j] + eps);
        }
        double[] mean = stats.mean();
        int k = 0;
        if (l.inner() == 1) {
            for (int o = 0; o < l.outer(); o++, k += units) {
                for (int j = 0; j < units; j++) {
                    out[k + j] = (x[k + j] - mean[j]) * scale[j] + beta[j];
                }
            }
            return;
        }
        for (int o = 0; o < l.outer(); o++) {
            for (int j = 0; j < units; j++) {
                double mu = mean[j];
                double a = scale[j];
                double b = beta[j];
                for (int i = 0; i < l.inner(); i++, k++) {
                    out[k] = (x[k] - mu) * a + b;
                }
            }
        }
    }

    /**
     * Backward pass of the training-mode function at {@code x} with the forward's statistics:
     * writes ∂L/∂x to {@code dx} (which may be {@code g}) and fills {@code dGamma}, {@code dBeta}.
     */
    public void backward(double[] x, double[] g, Layout l, Statistics stats, double[] gamma, double eps,
                         double[] dx, double[] dGamma, double[] dBeta) {
        int units = l.units();
        double[] mean = stats.mean();
        double[] inv = new double[units];
        for (int j = 0; j < units; j++) {
            inv[j] = 1.0 / Math.sqrt(stats.variance()[j] + eps);
        }
        double[] sumG = new double[units];
        double[] sumGx = new double[units]; // Σ g·(x − μ)
        int k = 0;
        if (l.inner() == 1) {
            for (int o = 0; o < l.outer(); o++, k += units) {
                for (int j = 0; j < units; j++) {
                    double gk = g[k + j];
                    sumG[j] += gk;
                    sumGx[j] += gk * (x[k + j] - mean[j]);
                }
            }
        } else for (int o = 0; o < l.outer(); o++) {
            for (int j = 0; j < units; j++) {
                double mu = mean[j];
                double a = 0;
                double b = 0;
                for (int i = 0; i < l.inner(); i++, k++) {
                    double gk = g[k];
                    a += gk;
                    b += gk * (x[k] - mu);
                }
                sumG[j] += a;
                sumGx[j] += b;
            }
        }
        double m = l.count();
        double[] c1 = new double[units];
        double[] c2 = new double[units];
        double[] c0 = new double[units];
        for (int j = 0; j < units; j++) {
            dBeta[j] = sumG[j];
            dGamma[j] = sumGx[j] * inv[j];
            c0[j] = gamma[j] * inv[j];
            c1[j] = sumG[j] / m;
            c2[j] = sumGx[j] * inv[j] * inv[j] / m;
        }
        k = 0;
        if (l.inner() == 1) {
            for (int o = 0; o < l.outer(); o++, k += units) {
                for (int j = 0; j < units; j++) {
                    dx[k + j] = c0[j] * (g[k + j] - c1[j] - (x[k + j] - mean[j]) * c2[j]);
                }
            }
            return;
        }
        for (int o = 0; o < l.outer(); o++) {
            for (int j = 0; j < units; j++) {
                double mu = mean[j];
                double a = c0[j];
                double b = c1[j];
                double c = c2[j];
                for (int i = 0; i < l.inner(); i++, k++) {
                    dx[k] = a * (g[k] - b - (x[k] - mu) * c);
                }
            }
        }
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Map.of();
    }

    @Override
    public boolean checkSupported() {
        return true;
    }
}
