package bnscope.core.probes;

import org.apache.commons.math3.linear.EigenDecomposition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The k largest (algebraic) eigenvalues of a symmetric linear operator known only through its
 * products, by the Lanczos iteration with full reorthogonalization (Golub and Van Loan, Section
 * 10.1). Lanczos rather than power iteration because a network's Hessian has negative eigenvalues:
 * power iteration finds the largest magnitude, Lanczos the top of the spectrum, and all k at once
 * from one Krylov space.
 *
 * <p>Every iteration costs one product; the basis is kept (dimension × iterations doubles) so each
 * new vector is orthogonalized against all earlier ones twice, which keeps finite-precision Lanczos
 * from producing copies of converged eigenvalues. A Ritz value θᵢ counts as converged when its
 * residual estimate βⱼ·|sᵢ(last)| ≤ tolerance·|θᵢ|; the iteration stops when the top k have
 * converged, at {@code maxIterations}, or when the Krylov space is exhausted. If the space becomes
 * invariant before k values exist, it continues from a fresh random vector orthogonal to the basis.
 */
public final class Lanczos {

    /**
     * One Ritz pair.
     *
     * @param value              Ritz value θ
     * @param residualEstimate   βⱼ·|sᵢ(last)|, the Lanczos estimate of ‖A y − θ y‖ (exact arithmetic)
     * @param iterations         iteration (1-based) from which on θ met the tolerance, or all iterations if it never did
     * @param vector             the unit Ritz vector y
     */
    public record RitzPair(double value, double residualEstimate, int iterations, double[] vector) {
    }

    /** The top Ritz pairs, largest first, and the number of operator products (= iterations) spent. */
    public record Result(List<RitzPair> pairs, int products) {
    }

    private Lanczos() {
    }

    /**
     * @param operator      v ↦ A v for a symmetric A of size {@code dimension}
     * @param k             eigenvalues wanted (at most {@code dimension}; fewer are returned for a smaller space)
     * @param maxIterations products at most (at least k; capped at {@code dimension})
     * @param tolerance     relative residual estimate at which a Ritz value counts as converged
     * @param random        source of the start vector(s)
     */
    public static Result top(UnaryOperator<double[]> operator, int dimension, int k, int maxIterations, double tolerance,
                             SplittableRandom random) {
        if (dimension < 1 || k < 1 || maxIterations < k) {
            throw new IllegalArgumentException("need dimension >= 1, k >= 1 and maxIterations >= k, got "
                    + dimension + ", " + k + ", " + maxIterations);
        }
        int m = Math.min(maxIterations, dimension);
        int want = Math.min(k, dimension);
        List<double[]> basis = new ArrayList<>();
        double[] alpha = new double[m];
        double[] beta = new double[m];
        int[] since = new int[want];
        Arrays.fill(since, -1);
        double[] q = unitRandom(dimension, random, basis);
        int steps = 0;
        EigenDecomposition tri = null;
        for (int j = 0; j < m; j++) {
            basis.add(q);
            double[] w = operator.apply(q);
            steps++;
            alpha[j] = DoubleVectors.dot(q, w);
            orthogonalize(w, basis);
            orthogonalize(w, basis);
            beta[j] = DoubleVectors.norm(w);
            tri = tridiagonal(alpha, beta, j + 1);
            double[] theta = tri.getRealEigenvalues(); // descending
            double scale = Math.abs(theta[0]);
            int found = Math.min(want, j + 1);
            boolean allConverged = found == want;
            for (int i = 0; i < found; i++) {
                double estimate = beta[j] * Math.abs(tri.getEigenvector(i).getEntry(j));
                if (estimate <= tolerance * Math.abs(theta[i])) {
                    if (since[i] < 0) {
                        since[i] = j + 1;
                    }
                } else {
                    since[i] = -1;
                    allConverged = false;
                }
            }
            if (allConverged || j + 1 == m) {
                break;
            }
            if (beta[j] <= 1e-13 * Math.max(scale, Double.MIN_NORMAL)) {
                // Invariant subspace: its Ritz values are exact; continue in its complement.
                beta[j] = 0;
                q = unitRandom(dimension, random, basis);
            } else {
                q = scaled(w, 1 / beta[j]);
            }
        }
        int n = basis.size();
        double[] theta = tri.getRealEigenvalues();
        List<RitzPair> pairs = new ArrayList<>();
        for (int i = 0; i < Math.min(want, n); i++) {
            double[] s = tri.getEigenvector(i).toArray();
            double[] y = new double[dimension];
            for (int b = 0; b < n; b++) {
                double[] qb = basis.get(b);
                for (int d = 0; d < dimension; d++) {
                    y[d] += s[b] * qb[d];
                }
            }
            double estimate = beta[n - 1] * Math.abs(s[n - 1]);
            pairs.add(new RitzPair(theta[i], estimate, since[i] < 0 ? steps : since[i], scaled(y, 1 / DoubleVectors.norm(y))));
        }
        return new Result(pairs, steps);
    }

    /** The tridiagonal T_n with diagonal alpha[0..n) and off-diagonal beta[0..n-1), eigen-decomposed. */
    private static EigenDecomposition tridiagonal(double[] alpha, double[] beta, int n) {
        return new EigenDecomposition(Arrays.copyOf(alpha, n), Arrays.copyOf(beta, n - 1));
    }

    private static void orthogonalize(double[] w, List<double[]> basis) {
        for (double[] b : basis) {
            double c = DoubleVectors.dot(b, w);
            for (int d = 0; d < w.length; d++) {
                w[d] -= c * b[d];
            }
        }
    }

    /** A random unit vector orthogonal to {@code basis} (Gaussian entries, then projected). */
    private static double[] unitRandom(int dimension, SplittableRandom random, List<double[]> basis) {
        for (int attempt = 0; attempt < 10; attempt++) {
            double[] v = new double[dimension];
            for (int d = 0; d < dimension; d++) {
                v[d] = gaussian(random);
            }
            orthogonalize(v, basis);
            orthogonalize(v, basis);
            double norm = DoubleVectors.norm(v);
            if (norm > 1e-8) {
                return scaled(v, 1 / norm);
            }
        }
        throw new IllegalStateException("no direction left outside the Krylov basis of dimension " + basis.size());
    }

    /** A standard normal draw (Box–Muller; SplittableRandom has no nextGaussian on Java 17). */
    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    static double[] scaled(double[] v, double c) {
        double[] out = new double[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = c * v[d];
        }
        return out;
    }
}
