package bnscope.core.probes;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Exact moments and a uniform random sample of one unit's activation values (the paper's Fig. 1,
 * 2, 7 and 8 plot these distributions). Moments are central and divided by the count, computed in
 * double in two passes (mean first), so workers' summaries can be merged exactly downstream.
 *
 * @param count  number of values
 * @param mean   mean
 * @param m2     Σ(x − mean)² / count
 * @param m3     Σ(x − mean)³ / count
 * @param m4     Σ(x − mean)⁴ / count
 * @param min    smallest value
 * @param max    largest value
 * @param sample min(sampleSize, count) values drawn uniformly without replacement, in index order
 */
public record ActivationSummary(long count, double mean, double m2, double m3, double m4, double min, double max,
                                float[] sample) {

    /** Summarizes {@code values}, sampling with a generator seeded by {@code seed}. */
    public static ActivationSummary of(double[] values, int sampleSize, long seed) {
        int n = values.length;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        double s2 = 0, s3 = 0, s4 = 0;
        for (double v : values) {
            double d = v - mean;
            double d2 = d * d;
            s2 += d2;
            s3 += d2 * d;
            s4 += d2 * d2;
        }
        int[] picked = sampleIndices(n, Math.min(sampleSize, n), seed);
        float[] sample = new float[picked.length];
        for (int i = 0; i < picked.length; i++) {
            sample[i] = (float) values[picked[i]];
        }
        return new ActivationSummary(n, mean, s2 / n, s3 / n, s4 / n, min, max, sample);
    }

    /** k distinct indices of 0..n-1, uniformly (Floyd's algorithm), sorted. */
    static int[] sampleIndices(int n, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Integer> chosen = new HashSet<>(k * 2);
        for (int j = n - k; j < n; j++) {
            int t = random.nextInt(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        int[] out = chosen.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }

    /**
     * A sample seed from the run seed and the sample's coordinates: distinct coordinates give
     * unrelated seeds (SplitMix64 finalizer applied after each part).
     */
    public static long seedFor(long runSeed, long step, int layer, int unit) {
        long h = mix(runSeed);
        h = mix(h ^ step);
        h = mix(h ^ layer);
        return mix(h ^ unit);
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
