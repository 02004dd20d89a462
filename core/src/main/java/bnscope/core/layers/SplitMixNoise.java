package bnscope.core.layers;

/**
 * The {@code splitmix} noise stream of noisy BatchNorm (issue 15): one draw of Algorithm 1's shift for
 * a whole layer, in plain Java, fused with its application {@code out = s·a + m}.
 *
 * <p><b>The stream, exactly</b> (it is part of the recorded protocol, so it is defined here and not by a
 * library version): a SplitMix64 generator (Steele, Lea &amp; Flood 2014; golden-gamma increment, the
 * MurmurHash3-style finalizer) seeded with {@link DistributionShift#drawSeed}. From it, in this order:
 * μ_j ~ U(−n_μ, n_μ) for every unit j, then σ_j ~ U(1, n_σ), then the seeds of two more SplitMix64
 * streams (one 64-bit word each): the first gives s_ij = σ_j + r_σ·z (z standard normal), the second
 * m_ij = μ_j + r_μ·(2u − 1), each for every element in NCHW order (sample, unit, row, column; [n, c]
 * arrays: sample, unit). Uniforms u are 53-bit doubles in [0, 1); normals come from the
 * Marsaglia–Tsang ziggurat ({@link Ziggurat}); s and m are rounded to float. A zero r_σ or r_μ
 * skips that stream's draws. Elements get the same draws whatever the layout they are stored in.
 *
 * <p>Why: libnd4j's generator ({@code noise.generator = nd4j}, the stream before issue 15) costs ~35 ns
 * per Gaussian on one core and needs four more passes over the activations (two draws, two per-unit
 * adds) before the fused apply; this costs a few ns per element in one pass.
 */
final class SplitMixNoise {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    SplitMixNoise(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1), 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal. */
    double nextGaussian() {
        return Ziggurat.next(this);
    }

    /**
     * Draws one layer's noise and applies it. The activations are {@code n × units × plane} elements
     * (plane = h·w, 1 for dense), stored NCHW ({@code channelsLast = false}) or NHWC. Writes s to
     * {@code scale} and {@code s·x + m} to {@code out} (float arithmetic: x·s rounded, then + m);
     * with {@code x == null} it writes m itself (for DOUBLE activations, applied by the caller).
     */
    static void drawAndApply(DistributionShift.Parameters p, long drawSeed, int n, int units, int plane,
                             boolean channelsLast, float[] x, float[] scale, float[] out) {
        SplitMixNoise layer = new SplitMixNoise(drawSeed);
        double[] mu = new double[units];
        double[] sigma = new double[units];
        for (int j = 0; j < units; j++) {
            mu[j] = -p.nMu() + 2 * p.nMu() * layer.nextDouble();
        }
        for (int j = 0; j < units; j++) {
            sigma[j] = 1 + (p.nSigma() - 1) * layer.nextDouble();
        }
        // Separate streams and passes for s and m: loops that do one thing run faster (measured below).
        SplitMixNoise scales = new SplitMixNoise(layer.nextLong());
        SplitMixNoise shifts = new SplitMixNoise(layer.nextLong());
        int unitStride = channelsLast ? 1 : plane;
        int pointStride = channelsLast ? units : 1;
        double[] draws = new double[plane];
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < units; j++) {
                int base = b * units * plane + j * unitStride;
                scales.scaleRow(draws, scale, base, pointStride, sigma[j], p.rSigma());
            }
        }
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < units; j++) {
                int base = b * units * plane + j * unitStride;
                shifts.shiftRow(draws, x, scale, out, base, pointStride, mu[j], p.rMu());
            }
        }
    }

    /*
     * The rows below draw into a small double buffer first and use the draws in a second loop: a loop
     * that only draws runs about twice as fast as one that also converts and stores (measured 5.4 against
     * 9.4 ns per normal). The stream is the same either way.
     */

    /** s for {@code draws.length} elements of one unit, {@code stride} apart from {@code base}. */
    private void scaleRow(double[] draws, float[] scale, int base, int stride, double sigma, double rSigma) {
        if (rSigma > 0) {
            for (int q = 0; q < draws.length; q++) {
                draws[q] = nextGaussian();
            }
        }
        for (int q = 0, k = base; q < draws.length; q++, k += stride) {
            scale[k] = (float) (rSigma > 0 ? sigma + rSigma * draws[q] : sigma);
        }
    }

    /** m, and {@code out = x·s + m} (or m alone without x), for the same elements. */
    private void shiftRow(double[] draws, float[] x, float[] scale, float[] out, int base, int stride, double mu, double rMu) {
        if (rMu > 0) {
            for (int q = 0; q < draws.length; q++) {
                draws[q] = nextDouble();
            }
        }
        for (int q = 0, k = base; q < draws.length; q++, k += stride) {
            float m = (float) (rMu > 0 ? mu + rMu * (2 * draws[q] - 1) : mu);
            out[k] = x == null ? m : x[k] * scale[k] + m;
        }
    }
}
