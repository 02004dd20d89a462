package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Random;

import static bnscope.core.layers.LpNormalizationParamInitializer.BETA;
import static bnscope.core.layers.LpNormalizationParamInitializer.GAMMA;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_MEAN;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_NORM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LpNormalizationKernel}, and {@link LpNormalizationLayer} around it, against a direct
 * unit-by-unit reading of the Section 3.3 definitions in double precision: N by Math.pow for
 * p < ∞, and ∂L/∂x by the chain rule through the full Jacobian ∂y_i/∂x_k rather than the kernel's
 * simplified mean(dy) / ⟨dy, y⟩ form. Inputs sit on a coarse grid so that zeros (sign(0) = 0) and
 * ties of max |x| (the first one wins) occur, and one unit is all zero (TINY_NORM, D = eps).
 */
class LpNormalizationKernelTest {
    private static final double TOLERANCE = 1e-12;

    /** One unit's forward and backward pass, read straight from the definitions. */
    private static final class UnitReference {
        final double mean;
        final double norm;
        final double[] z;
        final double[] dx;
        final double dGamma;
        final double dBeta;

        UnitReference(double[] v, double[] g, double p, double gamma, double beta, double eps) {
            int m = v.length;
            double sum = 0;
            for (double a : v) {
                sum += a;
            }
            mean = sum / m;
            int firstMax = 0;
            if (Double.isInfinite(p)) {
                double max = 0;
                for (int i = 0; i < m; i++) {
                    if (Math.abs(v[i]) > Math.abs(v[firstMax])) {
                        firstMax = i;
                    }
                    max = Math.max(max, Math.abs(v[i]));
                }
                norm = max;
            } else {
                double powers = 0;
                for (double a : v) {
                    powers += Math.pow(Math.abs(a), p);
                }
                norm = Math.pow(powers / m, 1 / p);
            }
            double d = norm + eps;
            double[] y = new double[m];
            z = new double[m];
            double sumGy = 0;
            double sumG = 0;
            for (int i = 0; i < m; i++) {
                y[i] = (v[i] - mean) / d;
                z[i] = gamma * y[i] + beta;
                sumGy += g[i] * y[i];
                sumG += g[i];
            }
            dGamma = sumGy;
            dBeta = sumG;
            dx = new double[m];
            for (int k = 0; k < m; k++) {
                double dNorm;
                if (Double.isInfinite(p)) {
                    dNorm = k == firstMax ? Math.signum(v[k]) : 0;
                } else {
                    dNorm = Math.pow(Math.max(norm, LpNormalizationKernel.TINY_NORM), 1 - p)
                            * Math.pow(Math.abs(v[k]), p - 1) * Math.signum(v[k]) / m;
                }
                double total = 0;
                for (int i = 0; i < m; i++) {
                    double dyi = ((i == k ? 1.0 : 0.0) - 1.0 / m) / d - (v[i] - mean) / (d * d) * dNorm;
                    total += gamma * g[i] * dyi;
                }
                dx[k] = total;
            }
        }
    }

    /** Gaussian values rounded to quarters: zeros and equal magnitudes are common. */
    private static double gridValue(Random rng) {
        return Math.round(4 * (1.5 * rng.nextGaussian() + 0.3)) / 4.0;
    }

    /**
     * [m, units] row-major: unit 0 all zero; unit 1's largest |x| at rows 3 (+) and m−4 (−), unit 2's
     * at rows 5 (−) and m−2 (+), so for p = ∞ the first row of a tie must carry the sub-gradient.
     */
    private static double[] gridRows(Random rng, int m, int units) {
        double[] x = new double[m * units];
        for (int i = 0; i < m; i++) {
            for (int j = 1; j < units; j++) {
                x[i * units + j] = gridValue(rng);
            }
        }
        tie(x, m, units, 1, 3, m - 4, 1.0);
        tie(x, m, units, 2, 5, m - 2, -1.0);
        return x;
    }

    private static void tie(double[] x, int m, int units, int j, int first, int second, double firstSign) {
        double max = 0;
        for (int i = 0; i < m; i++) {
            max = Math.max(max, Math.abs(x[i * units + j]));
        }
        x[first * units + j] = firstSign * (max + 1);
        x[second * units + j] = -firstSign * (max + 1);
    }

    private static double[] column(double[] rows, int m, int units, int j) {
        double[] c = new double[m];
        for (int i = 0; i < m; i++) {
            c[i] = rows[i * units + j];
        }
        return c;
    }

    private static double[] gaussians(Random rng, int n, double offset) {
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = offset + rng.nextGaussian();
        }
        return a;
    }

    /** Worst entry error relative to the largest expected entry; an all-zero expectation must be met exactly. */
    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        double scale = 0;
        for (int k = 0; k < expected.length; k++) {
            worst = Math.max(worst, Math.abs(expected[k] - actual[k]));
            scale = Math.max(scale, Math.abs(expected[k]));
        }
        if (scale == 0) {
            assertEquals(0.0, worst, what + ": expected all zeros");
        } else {
            assertTrue(worst / scale <= TOLERANCE, what + ": relative error " + worst / scale);
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertClose(new double[]{expected}, new double[]{actual}, what);
    }

    @ParameterizedTest
    @EnumSource(LpNormalization.Norm.class)
    void kernelMatchesTheDefinitionsOnRows(LpNormalization.Norm norm) {
        Random rng = new Random(31 + norm.ordinal());
        int m = 37;
        int units = 6;
        double eps = LpNormalization.DEFAULT_EPS;
        double[] x = gridRows(rng, m, units);
        double[] g = gaussians(rng, m * units, 0);
        double[] gamma = gaussians(rng, units, 1);
        double[] beta = gaussians(rng, units, 0);
        LpNormalizationKernel kernel = new LpNormalizationKernel(norm, eps);

        LpNormalizationKernel.Statistics stats = kernel.statistics(x, m, units);
        double[] z = new double[m * units];
        kernel.normalize(x, m, units, stats, gamma, beta, z);
        double[] dx = new double[m * units];
        double[] dGamma = new double[units];
        double[] dBeta = new double[units];
        LpNormalizationKernel.Statistics backwardStats = kernel.backward(x, g, m, units, gamma, dx, dGamma, dBeta);

        for (int j = 0; j < units; j++) {
            UnitReference ref = new UnitReference(column(x, m, units, j), column(g, m, units, j), norm.p(),
                    gamma[j], beta[j], eps);
            String unit = norm + " unit " + j;
            assertClose(ref.mean, stats.mean()[j], unit + " mean");
            assertClose(ref.norm, stats.norm()[j], unit + " norm");
            assertClose(ref.mean, backwardStats.mean()[j], unit + " backward mean");
            assertClose(ref.norm, backwardStats.norm()[j], unit + " backward norm");
            assertClose(ref.z, column(z, m, units, j), unit + " output");
            assertClose(ref.dx, column(dx, m, units, j), unit + " dL/dx");
            assertClose(ref.dGamma, dGamma[j], unit + " dL/dgamma");
            assertClose(ref.dBeta, dBeta[j], unit + " dL/dbeta");
        }

        // the layer runs both passes in place (out = x, dx = g): that must change nothing
        double[] zInPlace = x.clone();
        kernel.normalize(zInPlace, m, units, stats, gamma, beta, zInPlace);
        assertArrayEquals(z, zInPlace);
        double[] dxInPlace = g.clone();
        kernel.backward(x, dxInPlace, m, units, gamma, dxInPlace, new double[units], new double[units]);
        assertArrayEquals(dx, dxInPlace);
    }

    private static MultiLayerNetwork convNet(LpNormalization.Norm norm, int channels, int h, int w) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).list()
                .layer(new LpNormalization.Builder(norm).build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(h, w, channels)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        return net;
    }

    private static void randomizeParameters(Layer layer, Random rng) {
        INDArray gamma = layer.getParam(GAMMA);
        for (long j = 0; j < gamma.length(); j++) {
            gamma.putScalar(j, 0.5 + rng.nextDouble());
            layer.getParam(BETA).putScalar(j, rng.nextGaussian());
            layer.getParam(RUNNING_MEAN).putScalar(j, rng.nextGaussian());
            layer.getParam(RUNNING_NORM).putScalar(j, 0.5 + rng.nextDouble());
        }
    }

    @ParameterizedTest
    @EnumSource(LpNormalization.Norm.class)
    void convLayerMatchesTheDefinitionsPerChannel(LpNormalization.Norm norm) {
        int n = 3;
        int channels = 4;
        int h = 3;
        int w = 5;
        Random rng = new Random(47 + norm.ordinal());
        MultiLayerNetwork net = convNet(norm, channels, h, w);
        Layer layer = net.getLayer(0);
        randomizeParameters(layer, rng);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, channels, h, w);
        INDArray upstream = Nd4j.create(DataType.DOUBLE, n, channels, h, w);
        for (int a = 0; a < n; a++) {
            for (int c = 1; c < channels; c++) { // channel 0 stays all zero
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++) {
                        x.putScalar(new int[]{a, c, r, s}, gridValue(rng));
                    }
                }
            }
        }
        for (long k = 0; k < upstream.length(); k++) {
            upstream.putScalar(k, rng.nextGaussian());
        }
        // a tie of max |x| in channel 1: (0,1,0,0) comes first in the (n,h,w) order of the batch
        double top = x.get(NDArrayIndex.all(), NDArrayIndex.point(1)).amaxNumber().doubleValue() + 1;
        x.putScalar(new int[]{0, 1, 0, 0}, -top);
        x.putScalar(new int[]{2, 1, 1, 3}, top);

        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray out = layer.activate(x, true, mgr).dup();
        Pair<Gradient, INDArray> back = layer.backpropGradient(upstream, mgr);
        INDArray dx = back.getSecond().dup();
        Gradient grads = back.getFirst();
        INDArray eval = layer.activate(x, false, mgr).dup();
        assertArrayEquals(x.shape(), out.shape());
        assertArrayEquals(x.shape(), dx.shape());

        LpNormalization conf = (LpNormalization) layer.conf().getLayer();
        int m = n * h * w;
        for (int c = 0; c < channels; c++) {
            double[] v = new double[m];
            double[] g = new double[m];
            double[] actualOut = new double[m];
            double[] actualDx = new double[m];
            double[] actualEval = new double[m];
            int i = 0;
            for (int a = 0; a < n; a++) {
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++, i++) {
                        v[i] = x.getDouble(a, c, r, s);
                        g[i] = upstream.getDouble(a, c, r, s);
                        actualOut[i] = out.getDouble(a, c, r, s);
                        actualDx[i] = dx.getDouble(a, c, r, s);
                        actualEval[i] = eval.getDouble(a, c, r, s);
                    }
                }
            }
            double gamma = layer.getParam(GAMMA).getDouble(c);
            double beta = layer.getParam(BETA).getDouble(c);
            double runningMean = layer.getParam(RUNNING_MEAN).getDouble(c);
            double runningNorm = layer.getParam(RUNNING_NORM).getDouble(c);
            UnitReference ref = new UnitReference(v, g, norm.p(), gamma, beta, conf.getEps());
            String unit = norm + " channel " + c;
            assertClose(ref.z, actualOut, unit + " output");
            assertClose(ref.dx, actualDx, unit + " dL/dx");
            assertClose(ref.dGamma, grads.getGradientFor(GAMMA).getDouble(c), unit + " dL/dgamma");
            assertClose(ref.dBeta, grads.getGradientFor(BETA).getDouble(c), unit + " dL/dbeta");
            double keep = 1 - conf.getDecay();
            assertClose((runningMean - ref.mean) * keep, grads.getGradientFor(RUNNING_MEAN).getDouble(c),
                    unit + " running-mean update");
            assertClose((runningNorm - ref.norm) * keep, grads.getGradientFor(RUNNING_NORM).getDouble(c),
                    unit + " running-norm update");
            double[] expectedEval = new double[m];
            for (int k = 0; k < m; k++) {
                expectedEval[k] = gamma * (v[k] - runningMean) / (runningNorm + conf.getEps()) + beta;
            }
            assertClose(expectedEval, actualEval, unit + " evaluation output");
        }
    }

    @ParameterizedTest
    @EnumSource(LpNormalization.Norm.class)
    void denseLayerReadsViewsAndFOrderLikeContiguousInput(LpNormalization.Norm norm) {
        int m = 29;
        int units = 7;
        Random rng = new Random(59 + norm.ordinal());
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).dataType(DataType.DOUBLE).list()
                .layer(new LpNormalization.Builder(norm).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(units)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Layer layer = net.getLayer(0);
        randomizeParameters(layer, rng);

        double[] rows = gridRows(rng, m, units);
        double[] g = gaussians(rng, m * units, 0);
        // the batch as rows 2..m+1 of a larger array, and the upstream gradient in f order
        INDArray larger = Nd4j.create(DataType.DOUBLE, m + 3, units);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < units; j++) {
                larger.putScalar(i + 2, j, rows[i * units + j]);
            }
        }
        INDArray xView = larger.get(NDArrayIndex.interval(2, m + 2), NDArrayIndex.all());
        INDArray upstream = Nd4j.create(g, new long[]{m, units}, 'c').dup('f');

        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray out = layer.activate(xView, true, mgr).dup();
        INDArray dx = layer.backpropGradient(upstream, mgr).getSecond().dup();
        for (int j = 0; j < units; j++) {
            UnitReference ref = new UnitReference(column(rows, m, units, j), column(g, m, units, j), norm.p(),
                    layer.getParam(GAMMA).getDouble(j), layer.getParam(BETA).getDouble(j),
                    LpNormalization.DEFAULT_EPS);
            double[] actualOut = new double[m];
            double[] actualDx = new double[m];
            for (int i = 0; i < m; i++) {
                actualOut[i] = out.getDouble(i, j);
                actualDx[i] = dx.getDouble(i, j);
            }
            assertClose(ref.z, actualOut, norm + " unit " + j + " output " + Arrays.toString(out.shape()));
            assertClose(ref.dx, actualDx, norm + " unit " + j + " dL/dx");
        }
    }
}
