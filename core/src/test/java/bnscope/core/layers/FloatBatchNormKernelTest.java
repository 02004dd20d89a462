package bnscope.core.layers;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FloatBatchNormKernel} against the double {@link BatchNormKernel} (itself checked against DL4J's
 * layer and finite differences in {@code FusedBatchNormalizationTest}) on the same float values:
 * channels-last, NCHW and dense layouts, odd shapes (a remainder wide row, fewer values than one
 * wide row, more than {@link FloatBatchNormKernel#FLUSH} wide rows) and a mean 100× the spread.
 * Tolerances: statistics 1e-6 relative (mean: of the spread σ; variance: of σ²), outputs and
 * gradients 1e-5 of each array's largest value (float32 results).
 */
class FloatBatchNormKernelTest {

    private static void compare(BatchNormKernel.Layout l, double offset, long seed) {
        int len = l.outer() * l.units() * l.inner();
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[len];
        float[] g = new float[len];
        for (int k = 0; k < len; k++) {
            x[k] = (float) (offset + 1.5 * r.nextGaussian());
            g[k] = (float) r.nextGaussian();
        }
        double[] gamma = new double[l.units()];
        double[] beta = new double[l.units()];
        for (int j = 0; j < gamma.length; j++) {
            gamma[j] = 0.5 + r.nextDouble();
            beta[j] = r.nextDouble() - 0.5;
        }
        double[] xd = new double[len];
        double[] gd = new double[len];
        for (int k = 0; k < len; k++) {
            xd[k] = x[k];
            gd[k] = g[k];
        }
        BatchNormKernel reference = new BatchNormKernel();
        BatchNormKernel.Statistics want = reference.statistics(xd, l);
        BatchNormKernel.Statistics got = FloatBatchNormKernel.statistics(x, l);
        String what = l + " offset " + offset;
        for (int j = 0; j < l.units(); j++) {
            double sigma = Math.sqrt(want.variance()[j]);
            assertEquals(want.mean()[j], got.mean()[j], 1e-6 * sigma, what + ": mean of unit " + j);
            assertEquals(want.variance()[j], got.variance()[j], 1e-6 * want.variance()[j], what + ": variance of unit " + j);
        }
        double[] yd = new double[len];
        reference.normalize(xd, l, want, gamma, beta, 1e-5, yd);
        float[] y = new float[len];
        FloatBatchNormKernel.normalize(x, l, got, gamma, beta, 1e-5, y);
        assertArrayClose(yd, y, 1e-5, what + ": output");

        double[] dxd = new double[len];
        double[] dgd = new double[l.units()];
        double[] dbd = new double[l.units()];
        reference.backward(xd, gd, l, want, gamma, 1e-5, dxd, dgd, dbd);
        double[] dg = new double[l.units()];
        double[] db = new double[l.units()];
        FloatBatchNormKernel.backward(x, g, l, got, gamma, 1e-5, dg, db);
        assertArrayClose(dxd, g, 1e-5, what + ": input gradient");
        assertArrayClose(dgd, toFloat(dg), 1e-5, what + ": gamma gradient");
        assertArrayClose(dbd, toFloat(db), 1e-5, what + ": beta gradient");
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static void assertArrayClose(double[] want, float[] got, double tolerance, String what) {
        double scale = 1e-12;
        for (double v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], tolerance * scale, what + " at " + k);
        }
    }

    @Test
    void channelsLastMatchesDoubleKernel() {
        compare(new BatchNormKernel.Layout(128 * 8 * 8, 64, 1), 0.3, 1);  // vgg-mini's last stage
        compare(new BatchNormKernel.Layout(7 * 5 * 3, 13, 1), -2, 2);      // odd: 1365 values, a remainder row
        compare(new BatchNormKernel.Layout(3, 5, 1), 1, 3);               // fewer values than one wide row
    }

    @Test
    void channelsFirstMatchesDoubleKernel() {
        compare(new BatchNormKernel.Layout(9, 7, 11 * 3), 0.5, 4);
        compare(new BatchNormKernel.Layout(40, 3, 2), 0, 5);             // period 6: 86 periods per wide row
    }

    @Test
    void denseMatchesDoubleKernel() {
        compare(new BatchNormKernel.Layout(1000, 10, 1), 0, 6);          // the deep linear network's shape
        compare(new BatchNormKernel.Layout(129, 17, 1), 3, 7);
    }

    @Test
    void largeMeanDoesNotCancelTheVariance() {
        compare(new BatchNormKernel.Layout(4096, 16, 1), 150, 8);        // mean 100x the spread
    }

    @Test
    void wideRowsAreWholePeriods() {
        BatchNormKernel.Layout nhwc = new BatchNormKernel.Layout(128 * 32 * 32, 16, 1);
        assertEquals(512, FloatBatchNormKernel.wideWidth(nhwc, 128 * 32 * 32 * 16));
        BatchNormKernel.Layout odd = new BatchNormKernel.Layout(100, 13, 1);
        assertEquals(13 * 40, FloatBatchNormKernel.wideWidth(odd, 1300));
        BatchNormKernel.Layout nchw = new BatchNormKernel.Layout(4, 16, 1024);
        assertEquals(16 * 1024, FloatBatchNormKernel.wideWidth(nchw, 4 * 16 * 1024));
    }

    /** The vectorized sums against the scalar loop, to the bit, for wide rows with and without a vector tail and a short last row. */
    @Test
    void vectorSumsAreTheScalarSumsToTheBit() {
        assertTrue(FloatBatchNormKernel.vectorized(), "the Vector API module is on (jvm-options.txt) and this CPU has AVX-512: the vectorized sums run");
        SplittableRandom r = new SplittableRandom(17);
        for (int[] shape : new int[][] {{512, 131072}, {516, 5000}, {13, 100}, {7, 3}}) {
            int width = shape[0];
            int length = shape[1];
            float[] a = new float[length];
            float[] x = new float[length];
            float[] shift = new float[width];
            float[] c = new float[width];
            for (int i = 0; i < length; i++) {
                a[i] = (float) (r.nextDouble() * 4 - 1);
                x[i] = (float) (r.nextDouble() * 100 + 3);
            }
            for (int t = 0; t < width; t++) {
                shift[t] = (float) r.nextDouble();
                c[t] = (float) (r.nextDouble() * 100);
            }
            double[] f1 = new double[width], s1 = new double[width], f2 = new double[width], s2 = new double[width];
            FloatBatchNormKernel.scalarSums(a, shift, x, c, length, width, f1, s1);
            VectorUnitSums.accumulate(a, shift, x, c, length, width, f2, s2);
            assertArrayEquals(f1, f2, 0.0, "first sums, width " + width + ", length " + length);
            assertArrayEquals(s1, s2, 0.0, "second sums, width " + width + ", length " + length);
            assertNotEquals(0.0, f1[0], "real sums");
        }
    }
}
