package bnscope.core.layers;

/**
 * Standard normal draws by Marsaglia and Tsang's ziggurat ("The Ziggurat Method for Generating Random
 * Variables", J. Stat. Software 5(8), 2000; 128 layers, their constants), for {@link SplitMixNoise}.
 * About 97% of draws (measured) cost one 64-bit random word, a table look-up, a compare and a multiply.
 *
 * <p>Unlike the paper's 32-bit version, the layer index and the signed 32-bit magnitude come from
 * disjoint bits of one 64-bit word (low 7 bits; high 32 bits), which removes the known correlation
 * between them (Doornik 2005). Tables are computed with {@link StrictMath} and the rare wedge and
 * tail tests use StrictMath too, so the stream is the same on every JVM and CPU.
 */
final class Ziggurat {
    /** Layers of the ziggurat; a word's low 7 bits choose one. */
    static final int LAYERS = 128;
    private static final double R = 3.442619855899;
    private static final double AREA = 9.91256303526217e-3;
    private static final double M1 = 2147483648.0;
    /** Per layer: the inner rectangle's bound on |hz| (K) and the scale from hz to x (W); read by {@link VectorNoise}. */
    static final long[] K = new long[LAYERS];
    static final double[] W = new double[LAYERS];
    private static final double[] F = new double[LAYERS];

    static {
        double dn = R;
        double tn = dn;
        double q = AREA / StrictMath.exp(-0.5 * dn * dn);
        K[0] = (long) ((dn / q) * M1);
        K[1] = 0;
        W[0] = q / M1;
        W[LAYERS - 1] = dn / M1;
        F[0] = 1.0;
        F[LAYERS - 1] = StrictMath.exp(-0.5 * dn * dn);
        for (int i = LAYERS - 2; i >= 1; i--) {
            dn = StrictMath.sqrt(-2 * StrictMath.log(AREA / dn + StrictMath.exp(-0.5 * dn * dn)));
            K[i + 1] = (long) ((dn / tn) * M1);
            tn = dn;
            F[i] = StrictMath.exp(-0.5 * dn * dn);
            W[i] = dn / M1;
        }
    }

    private Ziggurat() {
    }

    /** One standard normal; the common case is small enough to inline into the caller's loop. */
    static double next(SplitMixNoise rng) {
        long bits = rng.nextLong();
        int layer = (int) (bits & (LAYERS - 1));
        long hz = bits >> 32; // signed 32-bit magnitude
        if (Math.abs(hz) < K[layer]) {
            return hz * W[layer];
        }
        return outside(rng, bits);
    }

    /** The ~3% of draws outside a layer's inner rectangle: the wedge or tail test, then new words as needed. */
    static double outside(SplitMixNoise rng, long firstBits) {
        long bits = firstBits;
        while (true) {
            int layer = (int) (bits & (LAYERS - 1));
            long hz = bits >> 32;
            double x = hz * W[layer];
            if (Math.abs(hz) < K[layer]) {
                return x;
            }
            if (layer == 0) { // the tail beyond R
                double t;
                double y;
                do {
                    t = -StrictMath.log(1 - rng.nextDouble()) / R;
                    y = -StrictMath.log(1 - rng.nextDouble());
                } while (y + y < t * t);
                return hz > 0 ? R + t : -R - t;
            }
            if (underDensity(F[layer] + rng.nextDouble() * (F[layer - 1] - F[layer]), -0.5 * x * x)) {
                return x;
            }
            bits = rng.nextLong();
        }
    }

    /** Relative gap between Math.exp and StrictMath.exp beyond which the fast one decides (4x their error bound). */
    private static final double EXP_MARGIN = 0x1.0p-49;

    /**
     * {@code y < StrictMath.exp(e)}, decided by the intrinsic {@link Math#exp} when y is clear of it:
     * both are within 1 ulp (≤ 2^-52 relative) of the exact value, so a y more than 2^-49 relative away
     * from Math.exp's result is on the same side of StrictMath's. Only a y that close (a chance of about
     * 10^-15) pays for StrictMath's native call, which cost ~40% of the normal draws (JFR).
     */
    static boolean underDensity(double y, double e) {
        double fast = Math.exp(e);
        if (y < fast * (1 - EXP_MARGIN)) {
            return true;
        }
        if (y > fast * (1 + EXP_MARGIN)) {
            return false;
        }
        return y < StrictMath.exp(e);
    }
}
