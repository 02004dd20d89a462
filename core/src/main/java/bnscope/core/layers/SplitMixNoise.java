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
 * adds) before the fused apply. Here the draws are made in bulk, eight words at a time by
 * {@link VectorNoise} when the Vector API is on and a plane holds a multiple of eight positions (the
 * scalar loops otherwise; both give the same floats to the bit, tested), into a per-sample row that is
 * then applied in the activations' layout: ~4.4 ns per element on one core (docs/performance.md).
 */
final class SplitMixNoise {
    /** SplitMix64's increment and its finalizer's two multipliers (also used by {@link VectorNoise}). */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    static final long MIX_1 = 0xBF58476D1CE4E5B9L;
    static final long MIX_2 = 0x94D049BB133111EBL;
    private long state;

    SplitMixNoise(long seed) {
        this.state = seed;
    }

    /**
     * The generator's state: {@code seed + c·γ} after c words. The c-th word is a pure function of it,
     * {@code mix(seed + c·γ)}, which is what lets {@link VectorNoise} compute eight words at once.
     */
    long state() {
        return state;
    }

    /** Continues from {@code state} (a value {@link #state()} returned). */
    void reset(long state) {
        this.state = state;
    }

    /** The next 64 random bits. */
    long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * MIX_1;
        z = (z ^ (z >>> 27)) * MIX_2;
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
     * Planes of a multiple of {@link VectorNoise#LANES} positions are drawn by {@link VectorNoise} when
     * {@link FloatBatchNormKernel#vectorized()} (the same floats; {@link #drawAndApplyScalar} is the reference).
     */
    static void drawAndApply(DistributionShift.Parameters p, long drawSeed, int n, int units, int plane,
                             boolean channelsLast, float[] x, float[] scale, float[] out) {
        if (FloatBatchNormKernel.vectorized() && plane % VectorNoise.LANES == 0) {
            drawAndApplyVector(p, drawSeed, n, units, plane, channelsLast, x, scale, out);
        } else {
            drawAndApplyScalar(p, drawSeed, n, units, plane, channelsLast, x, scale, out);
        }
    }

    /** μ_j then σ_j for every unit, the first draws of the layer's stream (in {@code mu}, {@code sigma}). */
    private static SplitMixNoise unitDraws(DistributionShift.Parameters p, long drawSeed, double[] mu, double[] sigma) {
        SplitMixNoise layer = new SplitMixNoise(drawSeed);
        for (int j = 0; j < mu.length; j++) {
            mu[j] = -p.nMu() + 2 * p.nMu() * layer.nextDouble();
        }
        for (int j = 0; j < sigma.length; j++) {
            sigma[j] = 1 + (p.nSigma() - 1) * layer.nextDouble();
        }
        return layer;
    }

    /** {@link #drawAndApply} one element at a time: the definition of the stream. */
    static void drawAndApplyScalar(DistributionShift.Parameters p, long drawSeed, int n, int units, int plane,
                                   boolean channelsLast, float[] x, float[] scale, float[] out) {
        double[] mu = new double[units];
        double[] sigma = new double[units];
        SplitMixNoise layer = unitDraws(p, drawSeed, mu, sigma);
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

    /** Positions per tile of the channels-last apply: a tile's outputs (16·units floats) stay in L1. */
    private static final int TILE = 16;

    /**
     * {@link #drawAndApply} with {@link VectorNoise}: one sample at a time, s and m are drawn unit by unit
     * into NCHW-ordered scratch (each stream in its own order, as in the scalar loops), then applied in
     * the activations' layout; channels-last in tiles of {@link #TILE} positions, so that the transposed
     * reads and the writes stay in cache.
     */
    static void drawAndApplyVector(DistributionShift.Parameters p, long drawSeed, int n, int units, int plane,
                                   boolean channelsLast, float[] x, float[] scale, float[] out) {
        double[] mu = new double[units];
        double[] sigma = new double[units];
        SplitMixNoise layer = unitDraws(p, drawSeed, mu, sigma);
        long scales = layer.nextLong();
        long shifts = layer.nextLong();
        int image = units * plane;
        // Scratch rows padded by a cache line: rows a power-of-two bytes apart (plane = 1024 floats) would
        // all map to the same L1 sets, and the channels-last apply reads one element from each in turn.
        int rowStride = plane + 16;
        float[] s = new float[units * rowStride];
        float[] m = new float[units * rowStride];
        int[] layers = new int[VectorNoise.LANES];
        for (int b = 0; b < n; b++) {
            for (int j = 0, row = 0; j < units; j++, row += rowStride) {
                scales = VectorNoise.normals(scales, sigma[j], p.rSigma(), s, row, plane, layers);
                shifts = VectorNoise.uniforms(shifts, mu[j], p.rMu(), m, row, plane);
            }
            int base = b * image;
            if (channelsLast) {
                applyChannelsLast(s, m, rowStride, x, scale, out, base, units, plane);
            } else {
                for (int j = 0; j < units; j++) {
                    applyRow(s, m, j * rowStride, x, scale, out, base + j * plane, plane);
                }
            }
        }
    }

    /** {@code scale = s}, {@code out = x·s + m} (or m without x) for {@code len} contiguous elements. */
    private static void applyRow(float[] s, float[] m, int from, float[] x, float[] scale, float[] out, int to, int len) {
        System.arraycopy(s, from, scale, to, len);
        if (x == null) {
            System.arraycopy(m, from, out, to, len);
            return;
        }
        for (int q = 0; q < len; q++) {
            out[to + q] = x[to + q] * s[from + q] + m[from + q];
        }
    }

    /** The same for one sample's NHWC elements, from draws in (unit, position) rows, in tiles of positions. */
    private static void applyChannelsLast(float[] s, float[] m, int rowStride, float[] x, float[] scale, float[] out,
                                          int base, int units, int plane) {
        for (int p0 = 0; p0 < plane; p0 += TILE) {
            int p1 = Math.min(plane, p0 + TILE);
            for (int q = p0; q < p1; q++) {
                int k = base + q * units;
                for (int j = 0, at = q; j < units; j++, k++, at += rowStride) {
                    scale[k] = s[at];
                    out[k] = x == null ? m[at] : x[k] * s[at] + m[at];
                }
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
