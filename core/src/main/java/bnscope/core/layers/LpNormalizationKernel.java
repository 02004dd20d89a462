package bnscope.core.layers;

/**
 * The arithmetic of ℓp normalization (paper Section 3.3) on a row-major [m, units] matrix held in a
 * plain {@code double[]}: per unit (column) j over the m rows,
 * <pre>
 *   μ_j = (1/m) Σ_i x_ij,   N_j = ((1/m) Σ_i |x_ij|^p)^{1/p}   (p = ∞: N_j = max_i |x_ij|)
 *   D_j = N_j + eps,        y_ij = (x_ij − μ_j) / D_j,          z_ij = γ_j y_ij + β_j
 * </pre>
 * Backward pass, per unit, with dy = γ·g (g = ∂L/∂z):
 * <pre>
 *   ∂L/∂x_k = (1/D) [ dy_k − mean(dy) − ⟨dy, y⟩ · ∂N/∂x_k ]
 *   ∂N/∂x_k = N^{1−p} |x_k|^{p−1} sign(x_k) / m      p = 1: sign(x_k)/m,  p = 2: x_k/(m·max(N, TINY_NORM))
 *   p = ∞:   ∂N/∂x_k = sign(x_k) at the arg-max of |x| (the first one on ties), 0 elsewhere
 *   ∂L/∂γ = Σ_i g_i y_i,   ∂L/∂β = Σ_i g_i   (sums over the batch, as DL4J expects)
 * </pre>
 * with sign(0) = 0. All of it is fused into a few passes over the buffer, accumulating in double:
 * done as separate ND4J operations the per-operation overhead, not the arithmetic, dominated the
 * small [1000, 10] layers of the deep linear network. {@link LpNormalizationLayer} does the DL4J
 * side (layout, parameters, workspaces) and calls this for every input size.
 */
public final class LpNormalizationKernel {
    /** Lower bound for N in ∂N/∂x when p = 2, only reached by an all-zero unit (where y = 0 anyway). */
    static final double TINY_NORM = 1e-30;

    /** Per-unit batch mean μ and norm N (before eps). */
    public record Statistics(double[] mean, double[] norm) {
    }

    private final LpNormalization.Norm norm;
    private final double eps;

    public LpNormalizationKernel(LpNormalization.Norm norm, double eps) {
        this.norm = norm;
        this.eps = eps;
    }

    /** μ_j and N_j of the rows of {@code x} ([m, units], row-major). */
    public Statistics statistics(double[] x, int m, int units) {
        return statistics(x, m, units, null);
    }

    /**
     * z = γ (x − μ)/(N + eps) + β with the given statistics (batch ones in training, running ones
     * in evaluation), written to {@code out}, which may be {@code x} itself.
     */
    public void normalize(double[] x, int m, int units, Statistics stats, double[] gamma, double[] beta,
                          double[] out) {
        checkSize(x, m, units);
        checkSize(out, m, units);
        double[] mean = stats.mean();
        double[] inverse = inverseDivisors(stats.norm());
        for (int i = 0, k = 0; i < m; i++) {
            for (int j = 0; j < units; j++, k++) {
                out[k] = (x[k] - mean[j]) * inverse[j] * gamma[j] + beta[j];
            }
        }
    }

    /**
     * Backward pass of the training-mode (batch statistics) function at input {@code x} for the
     * upstream gradient {@code g} = ∂L/∂z: writes ∂L/∂x to {@code dx} (which may be {@code g}
     * itself), ∂L/∂γ to {@code dGamma} and ∂L/∂β to {@code dBeta}, and returns the batch statistics
     * it used (recomputed from {@code x}).
     */
    public Statistics backward(double[] x, double[] g, int m, int units, double[] gamma,
                               double[] dx, double[] dGamma, double[] dBeta) {
        checkSize(g, m, units);
        checkSize(dx, m, units);
        int[] argMax = norm == LpNormalization.Norm.LINF ? new int[units] : null;
        Statistics stats = statistics(x, m, units, argMax);
        double[] mean = stats.mean();
        double[] inverse = inverseDivisors(stats.norm());

        java.util.Arrays.fill(dGamma, 0, units, 0.0);
        java.util.Arrays.fill(dBeta, 0, units, 0.0);
        for (int i = 0, k = 0; i < m; i++) {
            for (int j = 0; j < units; j++, k++) {
                double y = (x[k] - mean[j]) * inverse[j];
                dGamma[j] += g[k] * y;
                dBeta[j] += g[k];
            }
        }
        // mean(dy) = γ Σg / m and ⟨dy, y⟩ = γ Σ g y, so both come from the parameter gradients
        double[] meanDy = new double[units];
        double[] dyDotY = new double[units];
        for (int j = 0; j < units; j++) {
            meanDy[j] = gamma[j] * dBeta[j] / m;
            dyDotY[j] = gamma[j] * dGamma[j];
        }

        switch (norm) {
            case L1: {
                // ∂N/∂x = sign(x)/m
                double[] c = new double[units];
                for (int j = 0; j < units; j++) {
                    c[j] = dyDotY[j] / m;
                }
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        // c·sign(x) without Math.signum, which kept this loop from vectorizing (2–3× slower)
                        double cSign = x[k] == 0 ? 0.0 : c[j] * Math.copySign(1.0, x[k]);
                        dx[k] = (gamma[j] * g[k] - meanDy[j] - cSign) * inverse[j];
                    }
                }
                break;
            }
            case L2: {
                // ∂N/∂x = x / (m·max(N, TINY_NORM))
                double[] c = new double[units];
                for (int j = 0; j < units; j++) {
                    c[j] = dyDotY[j] / (m * Math.max(stats.norm()[j], TINY_NORM));
                }
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        dx[k] = (gamma[j] * g[k] - meanDy[j] - c[j] * x[k]) * inverse[j];
                    }
                }
                break;
            }
            case LINF: {
                // ∂N/∂x = sign(x) at the arg-max row only
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        dx[k] = (gamma[j] * g[k] - meanDy[j]) * inverse[j];
                    }
                }
                for (int j = 0; j < units; j++) {
                    int k = argMax[j] * units + j;
                    dx[k] -= dyDotY[j] * Math.signum(x[k]) * inverse[j];
                }
                break;
            }
            default:
                throw new IllegalStateException("unhandled norm " + norm);
        }
        return stats;
    }

    /** One pass for μ and N; for p = ∞ also the first row of max |x| per unit into {@code argMax}. */
    private Statistics statistics(double[] x, int m, int units, int[] argMax) {
        checkSize(x, m, units);
        double[] sum = new double[units];
        double[] acc = new double[units];
        switch (norm) {
            case L1:
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        sum[j] += x[k];
                        acc[j] += Math.abs(x[k]);
                    }
                }
                for (int j = 0; j < units; j++) {
                    acc[j] /= m;
                }
                break;
            case L2:
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        sum[j] += x[k];
                        acc[j] += x[k] * x[k];
                    }
                }
                for (int j = 0; j < units; j++) {
                    acc[j] = Math.sqrt(acc[j] / m);
                }
                break;
            case LINF: {
                int[] at = argMax != null ? argMax : new int[units];
                java.util.Arrays.fill(acc, -1.0);
                for (int i = 0, k = 0; i < m; i++) {
                    for (int j = 0; j < units; j++, k++) {
                        sum[j] += x[k];
                        double a = Math.abs(x[k]);
                        if (a > acc[j]) { // strict: the first maximum wins ties
                            acc[j] = a;
                            at[j] = i;
                        }
                    }
                }
                break;
            }
            default:
                throw new IllegalStateException("unhandled norm " + norm);
        }
        for (int j = 0; j < units; j++) {
            sum[j] /= m;
        }
        return new Statistics(sum, acc);
    }

    /** 1/D = 1/(N + eps) per unit: the passes multiply rather than divide. */
    private double[] inverseDivisors(double[] n) {
        double[] inverse = new double[n.length];
        for (int j = 0; j < n.length; j++) {
            inverse[j] = 1.0 / (n[j] + eps);
        }
        return inverse;
    }

    private static void checkSize(double[] a, int m, int units) {
        if (m <= 0 || units <= 0 || a.length != (long) m * units) {
            throw new IllegalArgumentException("a buffer of " + a.length + " values is not a [" + m + ", " + units
                    + "] matrix; ℓp normalization needs exactly m·units values, m and units at least 1");
        }
    }
}
