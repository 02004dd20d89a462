package bnscope.core.layers;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SplitMixNoise}'s rows of draws with the incubator Vector API, eight at a time, the same
 * stream to the bit. SplitMix64's c-th word is {@code mix(seed + c·γ)}, a pure function of the
 * counter, so eight consecutive words come from eight lanes at once. The uniforms use one word each;
 * the ziggurat's normals take the fast path (one word, |hz| under the layer's bound: ~97% of draws)
 * in all eight lanes at once, and a group of eight with any other lane is drawn one at a time by the
 * scalar {@link Ziggurat} from the same state, which consumes the same extra words it always did.
 * The arithmetic is the scalar code's, lane by lane, in the same order (no fused multiply-add), so the
 * floats are identical ({@code SplitMixNoiseTest}).
 *
 * <p>Why: the scalar draws cost ~1.7–2.8 ns per uniform and ~3.1–3.6 ns per normal on one core, about 40 ms of
 * a noisy vgg-mini step at batch 128 (7.4 M activations per step); see docs/performance.md.
 */
final class VectorNoise {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_512;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    static final int LANES = LONGS.length();
    /** γ, 2γ, …, 8γ: lane i's offset from the state to its word. */
    private static final long[] OFFSETS = new long[LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            OFFSETS[i] = (i + 1) * SplitMixNoise.GOLDEN_GAMMA;
        }
    }

    private VectorNoise() {
    }

    /** SplitMix64's words number 1..8 after {@code state}. */
    private static LongVector words(long state) {
        LongVector z = LongVector.broadcast(LONGS, state).add(LongVector.fromArray(LONGS, OFFSETS, 0));
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(SplitMixNoise.MIX_1);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(SplitMixNoise.MIX_2);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
    }

    /**
     * {@code dst[off + q] = (float) (sigma + rSigma·z_q)} for {@code len} normals z_q of the stream at
     * {@code state}; returns the state after them. {@code layers} is scratch of {@link #LANES} ints.
     */
    static long normals(long state, double sigma, double rSigma, float[] dst, int off, int len, int[] layers) {
        if (!(rSigma > 0)) { // no draws, as in the scalar rows
            java.util.Arrays.fill(dst, off, off + len, (float) sigma);
            return state;
        }
        final long step = LANES * SplitMixNoise.GOLDEN_GAMMA;
        DoubleVector sigmas = DoubleVector.broadcast(DOUBLES, sigma);
        SplitMixNoise rng = new SplitMixNoise(state);
        long[] spill = new long[LANES];
        int q = 0;
        while (q <= len - LANES) {
            LongVector bits = words(state);
            LongVector hz = bits.lanewise(VectorOperators.ASHR, 32);
            ((IntVector) bits.and(Ziggurat.LAYERS - 1).convertShape(VectorOperators.L2I, INTS, 0)).intoArray(layers, 0);
            LongVector bound = LongVector.fromArray(LONGS, Ziggurat.K, 0, layers, 0);
            DoubleVector z = ((DoubleVector) hz.convert(VectorOperators.L2D, 0))
                    .mul(DoubleVector.fromArray(DOUBLES, Ziggurat.W, 0, layers, 0));
            ((FloatVector) sigmas.add(z.mul(rSigma)).convertShape(VectorOperators.D2F, FLOATS, 0)).intoArray(dst, off + q);
            VectorMask<Long> inside = hz.abs().compare(VectorOperators.LT, bound);
            if (inside.allTrue()) {
                state += step;
                q += LANES;
            } else {
                int outside = inside.not().firstTrue();
                // Lanes before it are the stream's next draws; this one continues as the scalar draw does
                // (its first word consumed, then as many more as the wedge or tail test needs), and the
                // lanes after it are overwritten from the state that leaves.
                bits.intoArray(spill, 0);
                rng.reset(state + (outside + 1) * SplitMixNoise.GOLDEN_GAMMA);
                dst[off + q + outside] = (float) (sigma + rSigma * Ziggurat.outside(rng, spill[outside]));
                state = rng.state();
                q += outside + 1;
            }
        }
        rng.reset(state);
        for (; q < len; q++) {
            dst[off + q] = (float) (sigma + rSigma * rng.nextGaussian());
        }
        return rng.state();
    }

    /**
     * {@code dst[off + q] = (float) (mu + rMu·(2u_q − 1))} for {@code len} uniforms u_q in [0, 1) of the
     * stream at {@code state}; returns the state after them.
     */
    static long uniforms(long state, double mu, double rMu, float[] dst, int off, int len) {
        if (!(rMu > 0)) {
            java.util.Arrays.fill(dst, off, off + len, (float) mu);
            return state;
        }
        final long step = LANES * SplitMixNoise.GOLDEN_GAMMA;
        DoubleVector mus = DoubleVector.broadcast(DOUBLES, mu);
        int q = 0;
        for (; q <= len - LANES; q += LANES, state += step) {
            DoubleVector u = ((DoubleVector) words(state).lanewise(VectorOperators.LSHR, 11)
                    .convert(VectorOperators.L2D, 0)).mul(0x1.0p-53);
            ((FloatVector) mus.add(u.mul(2).sub(1).mul(rMu)).convertShape(VectorOperators.D2F, FLOATS, 0))
                    .intoArray(dst, off + q);
        }
        SplitMixNoise rng = new SplitMixNoise(state);
        for (; q < len; q++) {
            dst[off + q] = (float) (mu + rMu * (2 * rng.nextDouble() - 1));
        }
        return rng.state();
    }
}
