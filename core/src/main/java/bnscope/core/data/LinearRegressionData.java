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

    /** Features [samples, d] and labels [samples, d], one example per row, in {@code dataType}. */
    public DataSet toDataSet(DataType dataType) {
        INDArray features = Nd4j.createFromArray(x).castTo(dataType);
        INDArray labels = Nd4j.createFromArray(targets()).castTo(dataType);
        return new DataSet(features, labels);
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}
