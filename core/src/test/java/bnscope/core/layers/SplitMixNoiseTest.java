package bnscope.core.layers;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code splitmix} noise stream ({@link SplitMixNoise}, {@link Ziggurat}): the generator is
 * SplitMix64 (its published first outputs), the normals and uniforms have their laws
 * (Kolmogorov–Smirnov against commons-math3's distributions, moments, the ziggurat's tail), the
 * draws are a pure function of the seed and land on the same element in NCHW, NHWC and dense
 * layouts, and the layer applies exactly {@code s·a + m} with them and backprops {@code s·g}.
 */
class SplitMixNoiseTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    private static final DistributionShift.Parameters PAPER = new DistributionShift.Parameters(0.5, 1.25, 0.1, 0.1,
            NoiseGenerator.SPLITMIX);

    @Test
    void generatorIsSplitMix64() {
        // Reference outputs of Vigna's splitmix64.c for seed 0 and seed 1234567.
        SplitMixNoise zero = new SplitMixNoise(0);
        assertEquals(0xE220A8397B1DCDAFL, zero.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, zero.nextLong());
        SplitMixNoise other = new SplitMixNoise(1234567);
        assertEquals(6457827717110365317L, other.nextLong());
        assertEquals(3203168211198807973L, other.nextLong());
    }

    @Test
    void normalsAreStandardNormal() {
        SplitMixNoise rng = new SplitMixNoise(42);
        int n = 1_000_000;
        double[] z = new double[n];
        double sum = 0, squares = 0, fourth = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            z[i] = rng.nextGaussian();
            sum += z[i];
            squares += z[i] * z[i];
            fourth += z[i] * z[i] * z[i] * z[i];
            tail += Math.abs(z[i]) > 3.442619855899 ? 1 : 0;
        }
        assertEquals(0, sum / n, 0.005, "mean");
        assertEquals(1, squares / n, 0.006, "variance");
        assertEquals(3, fourth / n, 0.05, "fourth moment (kurtosis 3)");
        // P(|z| > R) = 2(1 − Φ(R)) = 5.76e-4: the tail branch must produce values at the right rate.
        assertEquals(576, tail, 5 * Math.sqrt(576), "draws beyond the ziggurat's base strip");
        double[] sample = java.util.Arrays.copyOf(z, 100_000);
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new NormalDistribution(0, 1), sample);
        assertTrue(p > 1e-3, "Kolmogorov-Smirnov against N(0, 1): p = " + p);
    }

    @Test
    void uniformsAreUniform() {
        SplitMixNoise rng = new SplitMixNoise(7);
        double[] u = new double[100_000];
        for (int i = 0; i < u.length; i++) {
            u[i] = rng.nextDouble();
            assertTrue(u[i] >= 0 && u[i] < 1);
        }
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), u);
        assertTrue(p > 1e-3, "Kolmogorov-Smirnov against U(0, 1): p = " + p);
    }

    private static float[][] draw(long seed, int n, int units, int plane, boolean channelsLast, float[] x) {
        int len = n * units * plane;
        float[] s = new float[len];
        float[] out = new float[len];
        SplitMixNoise.drawAndApply(PAPER, seed, n, units, plane, channelsLast, x, s, out);
        return new float[][]{s, out};
    }

    @Test
    void drawsArePureFunctionsOfTheSeed() {
        float[][] a = draw(99, 4, 3, 5, false, null);
        float[][] b = draw(99, 4, 3, 5, false, null);
        float[][] c = draw(100, 4, 3, 5, false, null);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(java.util.Arrays.equals(a[0], c[0]), "another seed, other draws");
    }

    @Test
    void everyElementGetsTheSameDrawInEveryLayout() {
        int n = 3, c = 5, h = 4, w = 2;
        float[][] nchw = draw(5, n, c, h * w, false, null);
        float[][] nhwc = draw(5, n, c, h * w, true, null);
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < c; j++) {
                for (int q = 0; q < h * w; q++) {
                    int first = (b * c + j) * h * w + q;
                    int last = (b * h * w + q) * c + j;
                    assertEquals(nchw[0][first], nhwc[0][last], 0f);
                    assertEquals(nchw[1][first], nhwc[1][last], 0f);
                }
            }
        }
    }

    /**
     * The stream as documented: μ_j, σ_j for all units, two stream seeds, then s and m per element in NCHW
     * order; planes of 4 positions are drawn by the scalar loops, planes of 64 by {@link VectorNoise}.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 64})
    void drawsFollowTheDocumentedStream(int plane) {
        int n = 2, c = 3;
        float[][] got = draw(11, n, c, plane, false, null);
        SplitMixNoise rng = new SplitMixNoise(11);
        double[] mu = new double[c];
        double[] sigma = new double[c];
        for (int j = 0; j < c; j++) mu[j] = -0.5 + rng.nextDouble();
        for (int j = 0; j < c; j++) sigma[j] = 1 + 0.25 * rng.nextDouble();
        SplitMixNoise scales = new SplitMixNoise(rng.nextLong());
        SplitMixNoise shifts = new SplitMixNoise(rng.nextLong());
        for (int k = 0; k < n * c * plane; k++) {
            int j = (k / plane) % c;
            assertEquals((float) (sigma[j] + 0.1 * scales.nextGaussian()), got[0][k], 0f, "s at " + k);
            assertEquals((float) (mu[j] + 0.1 * (2 * shifts.nextDouble() - 1)), got[1][k], 0f, "m at " + k);
        }
    }

    /**
     * {@link VectorNoise} (eight words at a time, the ziggurat's other ~3% of draws handed to the scalar
     * code mid-vector) gives the scalar loops' floats to the bit, in both layouts, with and without
     * activations, and when r_σ or r_μ is zero. 2·16·1024 normals include ~900 draws outside the
     * ziggurat's rectangles and ~19 from its tail.
     */
    @Test
    void vectorDrawsAreTheScalarDrawsToTheBit() {
        DistributionShift.Parameters[] params = {PAPER,
                new DistributionShift.Parameters(0.5, 1.25, 0.1, 0, NoiseGenerator.SPLITMIX),
                new DistributionShift.Parameters(0.5, 1.25, 0, 0.3, NoiseGenerator.SPLITMIX)};
        int[][] shapes = {{2, 16, 1024}, {3, 5, 64}, {4, 7, 8}};
        for (DistributionShift.Parameters p : params) {
            for (int[] shape : shapes) {
                int n = shape[0], units = shape[1], plane = shape[2], len = n * units * plane;
                float[] x = new float[len];
                for (int i = 0; i < len; i++) {
                    x[i] = (float) Math.sin(i * 0.37) * 3;
                }
                for (boolean channelsLast : new boolean[]{false, true}) {
                    for (float[] input : new float[][]{x, null}) {
                        float[] s1 = new float[len], o1 = new float[len], s2 = new float[len], o2 = new float[len];
                        SplitMixNoise.drawAndApplyVector(p, 31, n, units, plane, channelsLast, input, s1, o1);
                        SplitMixNoise.drawAndApplyScalar(p, 31, n, units, plane, channelsLast, input, s2, o2);
                        String what = p + " " + java.util.Arrays.toString(shape) + " channelsLast=" + channelsLast
                                + " x=" + (input != null);
                        assertArrayEquals(s2, s1, what + ": s");
                        assertArrayEquals(o2, o1, what + ": out");
                    }
                }
            }
        }
    }

    /** Rows of any length, including ones shorter than a vector, end where the scalar stream ends. */
    @Test
    void vectorRowsLeaveTheScalarState() {
        int[] scratch = new int[VectorNoise.LANES];
        for (int len : new int[]{0, 1, 7, 8, 13, 200}) {
            float[] got = new float[len];
            float[] want = new float[len];
            SplitMixNoise normals = new SplitMixNoise(5);
            for (int q = 0; q < len; q++) {
                want[q] = (float) (1.2 + 0.1 * normals.nextGaussian());
            }
            assertEquals(normals.state(), VectorNoise.normals(5, 1.2, 0.1, got, 0, len, scratch), "normals, length " + len);
            assertArrayEquals(want, got, "normals, length " + len);
            SplitMixNoise uniforms = new SplitMixNoise(6);
            for (int q = 0; q < len; q++) {
                want[q] = (float) (-0.2 + 0.1 * (2 * uniforms.nextDouble() - 1));
            }
            assertEquals(uniforms.state(), VectorNoise.uniforms(6, -0.2, 0.1, got, 0, len), "uniforms, length " + len);
            assertArrayEquals(want, got, "uniforms, length " + len);
        }
    }

    /** The wedge test decides as StrictMath.exp would, also for y one ulp either side of it. */
    @Test
    void wedgeTestIsStrictMaths() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            double e = -random.nextDouble() * 6;
            double exact = StrictMath.exp(e);
            double[] ys = {exact, Math.nextUp(exact), Math.nextDown(exact), Math.exp(e), random.nextDouble()};
            for (double y : ys) {
                assertEquals(y < exact, Ziggurat.underDensity(y, e), "y = " + y + ", e = " + e);
            }
        }
    }

    @Test
    void layerAppliesTheDrawsAndBackpropsTheScale() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (CNN2DFormat format : CNN2DFormat.values()) {
                NoisyBatchNorm conf = new NoisyBatchNorm.Builder(21).build();
                conf.setCnn2dFormat(format);
                NeuralNetConfiguration net = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
                NoisyBatchNormLayer layer = (NoisyBatchNormLayer) net.getLayer().instantiate(net, java.util.List.of(), 3, null, false, type);
                layer.setIterationCount(9);
                long[] shape = format == CNN2DFormat.NHWC ? new long[]{3, 4, 5, 6} : new long[]{3, 6, 4, 5};
                INDArray x = Nd4j.randn(type, shape);
                INDArray out = layer.activate(x, true, NO_WS).dup();
                boolean last = format == CNN2DFormat.NHWC;
                float[][] ref = draw(DistributionShift.drawSeed(21, 3, 9), 3, 6, 20, last, null);
                INDArray s = Nd4j.create(ref[0], shape).castTo(type);
                INDArray m = Nd4j.create(ref[1], shape).castTo(type);
                double eps = type == DataType.FLOAT ? 0 : 1e-12;
                assertTrue(out.equalsWithEps(x.mul(s).addi(m), eps), type + " " + format + ": forward is s*a + m");
                INDArray g = Nd4j.randn(type, shape);
                INDArray dx = layer.backpropGradient(g, NO_WS).getSecond();
                assertTrue(dx.equalsWithEps(g.mul(s), eps), type + " " + format + ": dL/da = s * dL/dout");
            }
        }
    }
}
