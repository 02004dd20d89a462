package bnscope.core.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LinearRegressionDataTest {
    /**
     * Reference values from an independent computation: a Python re-implementation of
     * java.util.Random's nextGaussian drew the same A and x, and numpy's eigvalsh gave the
     * eigenvalues of A C Aᵀ.
     */
    @Test
    void reducedRankLossesMatchAnIndependentComputation() {
        double[] paper = LinearRegressionData.generate(42).reducedRankLosses();
        double[] expected = {100.970166, 68.76666111, 48.31468305, 31.80384242, 18.49091432, 10.35425466,
                3.625280038, 1.826350707, 0.5722069208, 0.09089246052, 0.0};
        assertEquals(expected.length, paper.length);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], paper[k], 1e-6 * Math.max(1, expected[k]), "k = " + k);
        }
        double[] small = LinearRegressionData.generate(7, 50, 3).reducedRankLosses();
        double[] smallExpected = {12.0307009239, 5.25020879511, 0.0581801324695, 0.0};
        for (int k = 0; k < smallExpected.length; k++) {
            assertEquals(smallExpected[k], small[k], 1e-9 * Math.max(1, smallExpected[k]), "d = 3, k = " + k);
        }
    }

    @Test
    void rankZeroLossIsTheMeanSquaredTargetNorm() {
        LinearRegressionData data = LinearRegressionData.generate(3, 200, 6);
        double sum = 0;
        for (double[] y : data.targets()) {
            for (double v : y) {
                sum += v * v;
            }
        }
        double[] losses = data.reducedRankLosses();
        assertEquals(sum / 200, losses[0], 1e-9 * losses[0]);
        for (int k = 1; k < losses.length; k++) {
            assertTrue(losses[k] <= losses[k - 1], "L_k must not increase with k");
        }
    }

    @Test
    void jacobiEigenvaluesOfAKnownMatrix() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3; diag(5, -1, 0.5) its diagonal
        double[] two = SymmetricEigenvalues.of(new double[][]{{2, 1}, {1, 2}});
        java.util.Arrays.sort(two);
        assertArrayEquals(new double[]{1, 3}, two, 1e-14);
        double[] three = SymmetricEigenvalues.of(new double[][]{{5, 0, 0}, {0, -1, 0}, {0, 0, 0.5}});
        java.util.Arrays.sort(three);
        assertArrayEquals(new double[]{-1, 0.5, 5}, three, 0);
    }
}
