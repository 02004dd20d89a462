package bnscope.core.data;

import bnscope.core.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * The deep linear network's synthetic regression task (paper, Section 3/Appendix): x ~ N(0, I_d),
 * target y = A x, with A a d×d matrix of i.i.d. N(0, 1) entries; 1,000 samples of dimension 10.
 *
 * <p>Every number comes from one {@code java.util.Random(seed)} and its {@code nextGaussian()},
 * whose algorithm the JDK specifies, so a seed gives the same data on every JVM: first A, row by
 * row, then the samples, one after another (see {@link #RANDOM_SOURCE}, for the run manifest).
 */
public final class LinearRegressionData {
    public static final int SAMPLES = 1000;
    public static final int DIMENSION = 10;
    public static final String RANDOM_SOURCE = "java.util.Random(seed).nextGaussian(): A row by row first, "
            + "then x sample by sample; y = A x computed in double";

    private final long seed;
    private final double[][] a;
    private final double[][] x;

    private LinearRegressionData(long seed, double[][] a, double[][] x) {
        this.seed = seed;
        this.a = a;
        this.x = x;
    }

    /** The paper's task: 1,000 samples in R^10. */
    public static LinearRegressionData generate(long seed) {
        return generate(seed, SAMPLES, DIMENSION);
    }

    public static LinearRegressionData generate(long seed, int samples, int dimension) {
        if (samples < 1 || dimension < 1) {
            throw new BadInputException("Linear regression data needs samples >= 1 and dimension >= 1, got samples="
                    + samples + ", dimension=" + dimension + ". Check the DLN settings of the run config.");
        }
        Random rng = new Random(seed);
        double[][] a = new double[dimension][dimension];
        for (double[] row : a) {
            for (int j = 0; j < dimension; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        double[][] x = new double[samples][dimension];
        for (double[] sample : x) {
            for (int j = 0; j < dimension; j++) {
                sample[j] = rng.nextGaussian();
            }
        }
        return new LinearRegressionData(seed, a, x);
    }

    public long seed() {
        return seed;
    }

    public int samples() {
        return x.length;
    }

    public int dimension() {
        return a.length;
    }

    /** A[i][j], a copy. */
    public double[][] a() {
        return deepCopy(a);
    }

    /** x[sample][j], a copy. */
    public double[][] inputs() {
        return deepCopy(x);
    }

    /** y[sample] = A x[sample]. */
    public double[][] targets() {
        int d = dimension();
        double[][] y = new double[x.length][d];
        for (int s = 0; s < x.length; s++) {
            for (int i = 0; i < d; i++) {
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    sum += a[i][j] * x[s][j];
                }
                y[s][i] = sum;
            }
        }
        return y;
    }

    /**
     * The smallest mean loss (1/n) Σ_s ‖W x_s − A x_s‖² that any linear map W of rank at most k
     * reaches on these samples, for k = 0 … d (element k). With C = (1/n) Σ_s x_s x_sᵀ the loss is
     * ‖(W − A) C^{1/2}‖_F², so by Eckart–Young the best rank-k map leaves the d − k smallest
     * eigenvalues of A C Aᵀ (reduced-rank regression). Element 0 is the loss of W = 0, element d is 0.
     *
     * <p>These are the levels a deep linear network's loss plateaus at: gradient descent from a
     * small random product W_25…W_1 learns the directions of A one at a time, and a direction the
     * initial product all but annihilates stays unlearned for a long time (a saddle of the
     * rank-k manifold), so the loss sits at L_k meanwhile.
     */
    public double[] reducedRankLosses() {
        int d = dimension();
        double[][] c = new double[d][d];
        for (double[] sample : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] += sample[i] * sample[j];
                }
            }
        }
        double[][] ac = multiply(a, c);
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int p = 0; p < d; p++) {
                    sum += ac[i][p] * a[j][p];
                }
                m[i][j] = sum / x.length;
            }
        }
        double[] eigen = SymmetricEigenvalues.of(m);
        java.util.Arrays.sort(eigen);
        double[] losses = new double[d + 1];
        for (int k = d - 1; k >= 0; k--) {
            // the d − k smallest eigenvalues, clamped at 0 against rounding
            losses[k] = losses[k + 1] + Math.max(0, eigen[d - 1 - k]);
        }
        return losses;
    }

    /** Features [samples, d] and labels [samples, d], one example per row, in {@code dataType}. */
    public DataSet toDataSet(DataType dataType) {
        INDArray features = Nd4j.createFromArray(x).castTo(dataType);
        INDArray labels = Nd4j.createFromArray(targets()).castTo(dataType);
        return new DataSet(features, labels);
    }

    private static double[][] multiply(double[][] l, double[][] r) {
        double[][] out = new double[l.length][r[0].length];
        for (int i = 0; i < l.length; i++) {
            for (int p = 0; p < r.length; p++) {
                for (int j = 0; j < r[0].length; j++) {
                    out[i][j] += l[i][p] * r[p][j];
                }
            }
        }
        return out;
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}
