package bnscope.core.theory;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class BatchNormTheoryTest {
    private static final double TOLERANCE = 1e-6;

    private static double[] gaussian(Random rng, int m, double scale, double shift) {
        double[] v = new double[m];
        for (int i = 0; i < m; i++) {
            v[i] = scale * rng.nextGaussian() + shift;
        }
        return v;
    }

    private static BatchNormUnit randomUnit(Random rng, int m) {
        return BatchNormUnit.of(gaussian(rng, m, 0.5 + 3 * rng.nextDouble(), 2 * rng.nextGaussian()),
                0.2 + 2 * rng.nextDouble(), rng.nextGaussian());
    }

    /** Central differences of L(z(y)) in y, with L(z) = ½ zᵀQz + bᵀz: an independent ∂L/∂y. */
    private static double[] finiteDifferenceInputGradient(BatchNormUnit unit, double[][] q, double[] b) {
        double[] y = unit.preActivations();
        double[] out = new double[y.length];
        double h = 1e-6 * unit.sigma();
        for (int i = 0; i < y.length; i++) {
            double[] plus = y.clone();
            plus[i] += h;
            double[] minus = y.clone();
            minus[i] -= h;
            out[i] = (quadraticLoss(BatchNormUnit.of(plus, unit.gamma(), unit.beta()).output(), q, b)
                    - quadraticLoss(BatchNormUnit.of(minus, unit.gamma(), unit.beta()).output(), q, b)) / (2 * h);
        }
        return out;
    }

    private static double quadraticLoss(double[] z, double[][] q, double[] b) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            s += b[i] * z[i];
            for (int j = 0; j < z.length; j++) {
                s += 0.5 * z[i] * q[i][j] * z[j];
            }
        }
        return s;
    }

    private static double[][] randomSymmetric(Random rng, int m) {
        double[][] q = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                q[i][j] = q[j][i] = rng.nextGaussian();
            }
        }
        return q;
    }

    private static UnaryOperator<double[]> quadraticGradient(double[][] q, double[] b) {
        return z -> {
            double[] out = b.clone();
            for (int i = 0; i < z.length; i++) {
                for (int j = 0; j < z.length; j++) {
                    out[i] += q[i][j] * z[j];
                }
            }
            return out;
        };
    }

    @Test
    void factC1MatchesFiniteDifferencesOfTheForwardPass() {
        Random rng = new Random(1);
        for (int draw = 0; draw < 10; draw++) {
            int m = 4 + rng.nextInt(20);
            BatchNormUnit unit = randomUnit(rng, m);
            double[][] q = randomSymmetric(rng, m);
            double[] b = gaussian(rng, m, 1, 0);
            double[] g = quadraticGradient(q, b).apply(unit.output());
            IdentityCheck c = BatchNormBackwardCheck.compare(unit, g, finiteDifferenceInputGradient(unit, q, b));
            assertTrue(c.holds(TOLERANCE), c.toString());
        }
    }

    @Test
    void factC1MatchesDl4jBatchNormalizationBackpropInDouble() {
        int m = 24;
        int units = 5;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).list()
                .layer(new BatchNormalization.Builder().eps(1e-14).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(units)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Random rng = new Random(4);
        INDArray gamma = net.getLayer(0).getParam(BatchNormalizationParamInitializer.GAMMA);
        INDArray beta = net.getLayer(0).getParam(BatchNormalizationParamInitializer.BETA);
        INDArray x = Nd4j.create(DataType.DOUBLE, m, units);
        INDArray t = Nd4j.create(DataType.DOUBLE, m, units);
        for (int j = 0; j < units; j++) {
            gamma.putScalar(j, 0.3 + 2 * rng.nextDouble());
            beta.putScalar(j, rng.nextGaussian());
            for (int i = 0; i < m; i++) {
                x.putScalar(i, j, 2 * rng.nextGaussian() + j);
                t.putScalar(i, j, rng.nextGaussian());
            }
        }
        INDArray dLdy = net.calculateGradients(x, t, null, null).getSecond().dup();
        for (int j = 0; j < units; j++) {
            BatchNormUnit unit = BatchNormUnit.of(BatchNormUnit.unitValues(x, j), gamma.getDouble(j), beta.getDouble(j));
            // DL4J's raw L2 loss gradient into BN's output: ∂/∂z Σ (z − t)² = 2(z − t)
            double[] z = unit.output();
            double[] target = BatchNormUnit.unitValues(t, j);
            double[] g = new double[m];
            for (int i = 0; i < m; i++) {
                g[i] = 2 * (z[i] - target[i]);
            }
            IdentityCheck c = BatchNormBackwardCheck.compare(unit, g, BatchNormUnit.unitValues(dLdy, j));
            System.out.println("DL4J BatchNorm vs Fact C.1, unit " + j + ": " + c);
            assertTrue(c.holds(TOLERANCE), c.toString());
            IdentityCheck norm = GradientNormIdentity.exact(unit, g, BatchNormUnit.unitValues(dLdy, j));
            assertTrue(norm.holds(TOLERANCE), "Theorem 4.1 on DL4J's gradient: " + norm);
        }
    }

    @Test
    void theorem41ExactFormHoldsOnRandomInputs() {
        Random rng = new Random(2);
        for (int draw = 0; draw < 200; draw++) {
            BatchNormUnit unit = randomUnit(rng, 2 + rng.nextInt(60));
            double[] g = gaussian(rng, unit.size(), 1 + rng.nextDouble(), rng.nextGaussian());
            IdentityCheck c = GradientNormIdentity.exact(unit, g);
            assertTrue(c.holds(TOLERANCE), c.toString());
            assertTrue(c.relativeError() < 1e-12, c.toString());
        }
    }

    @Test
    void theorem41ExactFormDetectsAWrongGradient() {
        Random rng = new Random(7);
        BatchNormUnit unit = randomUnit(rng, 16);
        double[] g = gaussian(rng, 16, 1, 0);
        double[] wrong = unit.inputGradient(g);
        wrong[3] *= 1.01;
        assertFalse(GradientNormIdentity.exact(unit, g, wrong).holds(TOLERANCE));
        assertFalse(BatchNormBackwardCheck.compare(unit, g, wrong).holds(TOLERANCE));
    }

    @Test
    void theorem41PrintedFormIsViolatedOnMostRandomInputs() {
        Random rng = new Random(3);
        for (int m : List.of(8, 32, 128)) {
            int draws = 200;
            int violated = 0;
            for (int draw = 0; draw < draws; draw++) {
                BatchNormUnit unit = randomUnit(rng, m);
                double[] g = gaussian(rng, m, 1, rng.nextGaussian());
                IdentityCheck printed = GradientNormIdentity.printed(unit, g);
                if (!printed.holds(1e-9)) {
                    violated++;
                }
                // the exact form always holds on the same numbers
                assertTrue(GradientNormIdentity.exact(unit, g).holds(TOLERANCE));
            }
            double fraction = (double) violated / draws;
            System.out.printf("Theorem 4.1 printed 1/sqrt(m) form, m=%d: violated on %d of %d random draws (%.3f)%n",
                    m, violated, draws, fraction);
            assertTrue(fraction > 0.5, "m=" + m + ": violated fraction " + fraction);
        }
    }

    @Test
    void theorem42HoldsForQuadraticLossAndItsHessianIsMeasuredExactly() {
        Random rng = new Random(5);
        double worst = 0;
        for (int draw = 0; draw < 20; draw++) {
            int m = 4 + rng.nextInt(30);
            BatchNormUnit unit = randomUnit(rng, m);
            double[][] q = randomSymmetric(rng, m);
            double[] b = gaussian(rng, m, 1, 0);
            UnaryOperator<double[]> grad = quadraticGradient(q, b);

            // the z-side measurement against the known H = Q
            double[] bigG = unit.inputGradient(grad.apply(unit.output()));
            double exactGQG = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    exactGQG += bigG[i] * q[i][j] * bigG[j];
                }
            }
            double measured = HessianQuadraticForm.quadraticForm(grad, unit.output(), bigG, 1e-4 * unit.sigma());
            assertEquals(exactGQG, measured, 1e-8 * Math.max(1, Math.abs(exactGQG)));

            IdentityCheck c = HessianQuadraticForm.check(unit, grad, HessianQuadraticForm.DEFAULT_RELATIVE_STEP);
            assertTrue(c.holds(TOLERANCE), c.toString());
            worst = Math.max(worst, c.relativeError());
        }
        System.out.printf("Theorem 4.2, quadratic loss, 20 draws: worst relative error %.2e%n", worst);
    }

    @Test
    void theorem42HoldsForANonQuadraticLoss() {
        Random rng = new Random(6);
        double worst = 0;
        for (int draw = 0; draw < 10; draw++) {
            int m = 8 + rng.nextInt(20);
            BatchNormUnit unit = randomUnit(rng, m);
            double[] c = gaussian(rng, m, 1, 0);
            // L(z) = Σ log cosh(z_i − c_i) + ¼ Σ z_i⁴ / m
            UnaryOperator<double[]> grad = z -> {
                double[] out = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    out[i] = Math.tanh(z[i] - c[i]) + z[i] * z[i] * z[i] / z.length;
                }
                return out;
            };
            IdentityCheck check = HessianQuadraticForm.check(unit, grad, HessianQuadraticForm.DEFAULT_RELATIVE_STEP);
            assertTrue(check.holds(TOLERANCE), check.toString());
            worst = Math.max(worst, check.relativeError());
        }
        System.out.printf("Theorem 4.2, log-cosh + quartic loss, 10 draws: worst relative error %.2e%n", worst);
    }

    @Test
    void lemma45HoldsOnRandomWeights() {
        Random rng = new Random(8);
        int checked = 0;
        while (checked < 100) {
            double[] w0 = gaussian(rng, 50, 1, 0);
            double[] wStar = gaussian(rng, 50, 1 + rng.nextDouble(), 0.2);
            if (Vectors.dot(w0, wStar) <= 0) {
                assertThrows(IllegalArgumentException.class, () -> InitializationDistanceLemma.check(w0, wStar));
                continue;
            }
            IdentityCheck c = InitializationDistanceLemma.check(w0, wStar);
            assertTrue(c.holds(1e-12), c.toString());
            // and the scaled optimum is strictly closer than W* itself unless W* is already the projection
            assertTrue(c.lhs() <= Vectors.normSquared(Vectors.plusScaled(w0, -1, wStar)) + 1e-9);
            checked++;
        }
    }

    @Test
    void identityCheckRecordsItsClaim() {
        IdentityCheck eq = IdentityCheck.of("x", IdentityCheck.Claim.EQUALITY, 1.0, 1.1);
        assertEquals(0.1 / 1.1, eq.relativeError(), 1e-15);
        assertFalse(eq.holds(0.05));
        IdentityCheck bound = IdentityCheck.of("y", IdentityCheck.Claim.AT_MOST, 1.0, 1.1);
        assertTrue(bound.holds(0));
        assertFalse(IdentityCheck.of("z", IdentityCheck.Claim.AT_MOST, 1.2, 1.1).holds(1e-6));
    }
}
