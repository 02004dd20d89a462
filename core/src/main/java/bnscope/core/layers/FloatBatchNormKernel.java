package bnscope.core.layers;

/**
 * BatchNorm's training forward and backward for FLOAT activations (issue 15): the arithmetic of
 * {@link BatchNormKernel} (same formulas, same per-unit shift for the statistics) in float over one
 * {@code float[]} copy of the buffer, in as few passes as the function allows:
 * <pre>
 *   forward   statistics (1 read), then y = (x − μ_j)·a_j + β_j with a_j = γ_j/√(σ²_j + eps)  (1 read, 1 write)
 *   backward  Σg and Σg·(x − μ) (2 reads), then ∂L/∂x in place over g                        (2 reads, 1 write)
 * </pre>
 * The double kernel reads into and writes from double copies (twice the bytes per pass and two
 * extra conversion passes); this one moves half the bytes and its loops vectorize (AVX: 8 floats).
 *
 * <p><b>Wide rows.</b> A buffer of {@code outer × units × inner} elements repeats its unit pattern every
 * {@code units·inner} elements. Loops run over "wide rows" of {@link #wideWidth} elements, a whole
 * number of those periods and at least {@value #MIN_WIDTH} long, with per-position copies of the
 * per-unit constants: every inner loop is long and unit-free (NHWC with 16 channels would otherwise
 * run 16-iteration loops), and each position always belongs to the same unit.
 *
 * <p><b>Accuracy.</b> Differences and products are float, the per-position sums double (see
 * {@code unitSums}), so statistics and the backward sums match the double kernel to float rounding
 * of the individual terms (~1e-7 relative); outputs and gradients are float32 like DL4J's own layer
 * ({@code FloatBatchNormKernelTest} states and checks the tolerances). The sums run on
 * {@link VectorUnitSums} when the JVM has the Vector API module, to the bit the same as the scalar loop.
 */
final class FloatBatchNormKernel {
    /** Minimum wide-row length: long enough for unrolled vector loops. */
    static final int MIN_WIDTH = 512;
    /**
     * The incubator Vector API is there (bnscope's JVM options add it) and the CPU has 512-bit vectors
     * (AVX-512), which the Vector classes' eight double lanes need to compile to machine vectors rather
     * than to the API's far slower Java fallback; else the scalar loops run, same bits.
     */
    private static final boolean VECTORIZED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && VectorUnitSums.hardwareHasEightDoubleLanes();

    private FloatBatchNormKernel() {
    }

    /** Length of a wide row: a multiple of the unit period {@code units·inner}, at least {@link #MIN_WIDTH}. */
    static int wideWidth(BatchNormKernel.Layout l, int length) {
        int period = l.units() * l.inner();
        int width = period * Math.max(1, (MIN_WIDTH + period - 1) / period);
        return Math.min(width, length);
    }

    /** Per-position copy of a per-unit value over a wide row of {@code width} elements. */
    static float[] spread(double[] perUnit, BatchNormKernel.Layout l, int width) {
        float[] out = new float[width];
        int inner = l.inner();
        int units = l.units();
        for (int t = 0; t < width; t++) {
            out[t] = (float) perUnit[(t / inner) % units];
        }
        return out;
    }

    /** Adds the per-position totals into per-unit sums. */
    private static void fold(double[] perPosition, BatchNormKernel.Layout l, double[] perUnit) {
        int inner = l.inner();
        int units = l.units();
        for (int t = 0; t < perPosition.length; t++) {
            perUnit[(t / inner) % units] += perPosition[t];
        }
    }

    /** μ and biased σ² of every unit of the first {@code l.outer()·units·inner} values of {@code x}, in one pass. */
    static BatchNormKernel.Statistics statistics(float[] x, BatchNormKernel.Layout l) {
        int units = l.units();
        int length = l.outer() * units * l.inner();
        int width = wideWidth(l, length);
        double[] firstValues = new double[units];
        for (int j = 0; j < units; j++) {
            firstValues[j] = x[j * l.inner()];
        }
        float[] shift = spread(firstValues, l, width);
        double[][] sums = unitSums(x, shift, x, shift, l, width);
        double[] s = sums[0];
        double[] q = sums[1];
        double m = l.count();
        double[] mean = new double[units];
        double[] variance = new double[units];
        for (int j = 0; j < units; j++) {
            double d = s[j] / m;
            mean[j] = firstValues[j] + d;
            variance[j] = Math.max(0, q[j] / m - d * d);
        }
        return new BatchNormKernel.Statistics(mean, variance);
    }

    /**
     * Per unit j: {@code Σ u} and {@code Σ u·(x − c)} with {@code u = a − aShift} over the unit's values
     * (statistics: a = x, both shifts the first values; backward: a = g, no shift, c = μ), as
     * {first, second}. Accumulated per wide-row position, then folded into units. The differences and
     * products are float, the accumulators double: they are one wide row long (a few KB, in L1), so the
     * wider type costs no memory traffic, and the sums are as exact as the double kernel's.
     */
    private static double[][] unitSums(float[] a, float[] aShift, float[] x, float[] c, BatchNormKernel.Layout l,
                                       int width) {
        int length = l.outer() * l.units() * l.inner();
        double[] first = new double[width];
        double[] second = new double[width];
        if (VECTORIZED) {
            VectorUnitSums.accumulate(a, aShift, x, c, length, width, first, second);
        } else {
            scalarSums(a, aShift, x, c, length, width, first, second);
        }
        double[][] perUnit = {new double[l.units()], new double[l.units()]};
        fold(first, l, perUnit[0]);
        fold(second, l, perUnit[1]);
        return perUnit;
    }

    /** The per-position sums one element at a time (the JVM without the Vector API module); {@link VectorUnitSums}'s reference. */
    static void scalarSums(float[] a, float[] aShift, float[] x, float[] c, int length, int width,
                           double[] first, double[] second) {
        for (int k = 0; k < length; k += width) {
            int n = Math.min(width, length - k);
            for (int t = 0; t < n; t++) {
                float u = a[k + t] - aShift[t];
                first[t] += u;
                second[t] += u * (x[k + t] - c[t]);
            }
        }
    }

    /** Whether the sums run on {@link VectorUnitSums} (the JVM has jdk.incubator.vector). */
    static boolean vectorized() {
        return VECTORIZED;
    }

    /** out = (x − μ)·γ/√(σ² + eps) + β over the first {@code l.outer()·units·inner} values; {@code out} may be {@code x}. */
    static void normalize(float[] x, BatchNormKernel.Layout l, BatchNormKernel.Statistics stats, double[] gamma,
                          double[] beta, double eps, float[] out) {
        int length = l.outer() * l.units() * l.inner();
        int width = wideWidth(l, length);
        double[] scale = new double[l.units()];
        for (int j = 0; j < scale.length; j++) {
            scale[j] = gamma[j] / Math.sqrt(stats.variance()[j] + eps);
        }
        float[] mu = spread(stats.mean(), l, width);
        float[] a = spread(scale, l, width);
        float[] b = spread(beta, l, width);
        for (int k = 0; k < length; k += width) {
            int n = Math.min(width, length - k);
            for (int t = 0; t < n; t++) {
                out[k + t] = (x[k + t] - mu[t]) * a[t] + b[t];
            }
        }
    }

    /**
     * Backward pass of the training-mode function at {@code x} with the forward's statistics: overwrites
     * {@code g} with ∂L/∂x and fills {@code dGamma}, {@code dBeta} (see {@link BatchNormKernel#backward}).
     */
    static void backward(float[] x, float[] g, BatchNormKernel.Layout l, BatchNormKernel.Statistics stats,
                         double[] gamma, double eps, double[] dGamma, double[] dBeta) {
        int units = l.units();
        int length = l.outer() * units * l.inner();
        int width = wideWidth(l, length);
        float[] mu = spread(stats.mean(), l, width);
        double[][] sums = unitSums(g, new float[width], x, mu, l, width);
        double[] sg = sums[0];
        double[] sgx = sums[1];
        double m = l.count();
        double[] c0 = new double[units];
        double[] c1 = new double[units];
        double[] c2 = new double[units];
        for (int j = 0; j < units; j++) {
            double inv = 1.0 / Math.sqrt(stats.variance()[j] + eps);
            dBeta[j] = sg[j];
            dGamma[j] = sgx[j] * inv;
            c0[j] = gamma[j] * inv;
            c1[j] = sg[j] / m;
            c2[j] = sgx[j] * inv * inv / m;
        }
        float[] a = spread(c0, l, width);
        float[] b = spread(c1, l, width);
        float[] c = spread(c2, l, width);
        for (int k = 0; k < length; k += width) {
            int n = Math.min(width, length - k);
            for (int t = 0; t < n; t++) {
                g[k + t] = a[t] * (g[k + t] - b[t] - (x[k + t] - mu[t]) * c[t]);
            }
        }
    }
}
