package bnscope.core.layers;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatBatchNormKernel}'s per-position sums with the incubator Vector API: eight float lanes
 * widened to eight double lanes per step. Java 17's auto-vectorizer does not widen float to double,
 * so the scalar loop ran one element at a time (1.3 ns per element, 2.6 ms per 2 M-float layer
 * pass, one thread; this one 0.8 ms). Each position's accumulator receives the same float terms
 * in the same order as in the scalar loop, so the sums are the same to the bit
 * ({@code FloatBatchNormKernelTest}). Loaded only when the JVM has the module
 * ({@link FloatBatchNormKernel#vectorized()}; bnscope's jvm-options.txt adds it).
 */
final class VectorUnitSums {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_512;
    private static final int LANES = FLOATS.length();

    private VectorUnitSums() {
    }

    /** Whether the CPU's widest vectors hold eight doubles (this class and {@link VectorNoise} use such species). */
    static boolean hardwareHasEightDoubleLanes() {
        return DoubleVector.SPECIES_PREFERRED.length() >= DOUBLES.length();
    }

    /**
     * For every wide row starting at {@code k} and position t: {@code first[t] += u},
     * {@code second[t] += u·(x[k+t] − c[t])} with the float {@code u = a[k+t] − aShift[t]}.
     */
    static void accumulate(float[] a, float[] aShift, float[] x, float[] c, int length, int width,
                           double[] first, double[] second) {
        for (int k = 0; k < length; k += width) {
            int n = Math.min(width, length - k);
            int t = 0;
            for (; t <= n - LANES; t += LANES) {
                FloatVector u = FloatVector.fromArray(FLOATS, a, k + t).sub(FloatVector.fromArray(FLOATS, aShift, t));
                FloatVector p = u.mul(FloatVector.fromArray(FLOATS, x, k + t).sub(FloatVector.fromArray(FLOATS, c, t)));
                DoubleVector.fromArray(DOUBLES, first, t).add(u.convertShape(VectorOperators.F2D, DOUBLES, 0))
                        .intoArray(first, t);
                DoubleVector.fromArray(DOUBLES, second, t).add(p.convertShape(VectorOperators.F2D, DOUBLES, 0))
                        .intoArray(second, t);
            }
            for (; t < n; t++) {
                float u = a[k + t] - aShift[t];
                first[t] += u;
                second[t] += u * (x[k + t] - c[t]);
            }
        }
    }
}
