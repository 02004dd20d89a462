package bnscope.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * One draw of the noisy-BatchNorm distribution shift (paper, Algorithm 1): per-unit μ_j, σ_j and the
 * per-activation shift m and scale s that {@link NoisyBatchNormLayer} applies as {@code s·a + m}.
 *
 * <p>Each draw uses a fresh ND4J native generator seeded with {@link #drawSeed(long, int, int)}, so the
 * noise is a pure function of (layer seed, layer index, iteration, shape): recomputing a forward pass
 * at the same iteration reproduces it exactly, and no other random stream (weight init, dropout,
 * data shuffling) is disturbed. The unit axis is axis 1 of [n, c] and [n, c, h, w] arrays.
 */
public final class DistributionShift {

    /** The noise magnitudes n_μ, n_σ, r_μ, r_σ of Algorithm 1 and the random stream they are drawn from. */
    public record Parameters(double nMu, double nSigma, double rMu, double rSigma, NoiseGenerator generator) {
        void validate() {
            if (generator == null) {
                throw new IllegalArgumentException("noise parameters need a generator");
            }
            if (!(nMu >= 0) || Double.isInfinite(nMu)) {
                throw NoisyBatchNorm.badParameter("n_mu", nMu, "a finite number >= 0");
            }
            if (!(nSigma >= 1) || Double.isInfinite(nSigma)) {
                throw NoisyBatchNorm.badParameter("n_sigma", nSigma, "a finite number >= 1");
            }
            if (!(rMu >= 0) || Double.isInfinite(rMu)) {
                throw NoisyBatchNorm.badParameter("r_mu", rMu, "a finite number >= 0");
            }
            if (!(rSigma >= 0) || Double.isInfinite(rSigma)) {
                throw NoisyBatchNorm.badParameter("r_sigma", rSigma, "a finite number >= 0 (a standard deviation)");
            }
        }
    }

    /** The per-unit draws μ_j (unitMeans) and σ_j (unitScales), each of length c. */
    public record UnitDraw(INDArray unitMeans, INDArray unitScales) {
    }

    private DistributionShift() {
    }

    /** The seed of the draw for one layer at one iteration (SplitMix64 finalizer over the three keys). */
    public static long drawSeed(long layerSeed, int layerIndex, int iteration) {
        long h = mix(layerSeed ^ 0x6A09E667F3BCC908L);
        h = mix(h ^ (0x3C6EF372FE94F82BL + layerIndex));
        return mix(h ^ (0xA54FF53A5F1D36F1L + ((long) iteration << 20)));
    }

    /**
     * Fills {@code scale} with s and {@code shift} with m (same shape, unit axis 1) and returns the
     * per-unit μ_j, σ_j they were drawn around.
     */
    public static UnitDraw fill(Parameters p, long drawSeed, INDArray scale, INDArray shift) {
        UnitDraw units = drawCentred(p, drawSeed, scale, shift);
        addPerUnit(shift, units.unitMeans());
        addPerUnit(scale, units.unitScales());
        return units;
    }

    /**
     * The same draws as {@link #fill}, from the same generator in the same order, but leaves s − σ_j in
     * {@code scale} and m − μ_j in {@code shift}: a fused kernel adds σ_j and μ_j itself (in float,
     * as {@link #fill} does, so the noise is the same to the bit).
     */
    public static UnitDraw drawCentred(Parameters p, long drawSeed, INDArray scale, INDArray shift) {
        if (!Arrays.equals(scale.shape(), shift.shape()) || (scale.rank() != 2 && scale.rank() != 4)) {
            throw new IllegalArgumentException("scale and shift must share a [n,c] or [n,c,h,w] shape, got "
                    + Arrays.toString(scale.shape()) + " and " + Arrays.toString(shift.shape()));
        }
        long units = scale.size(1);
        INDArray mu = Nd4j.createUninitialized(scale.dataType(), units);
        INDArray sigma = Nd4j.createUninitialized(scale.dataType(), units);
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(drawSeed)) {
            Nd4j.getExecutioner().exec(new UniformDistribution(mu, -p.nMu(), p.nMu()), rng);
            Nd4j.getExecutioner().exec(new UniformDistribution(sigma, 1.0, p.nSigma()), rng);
            // Zero widths are filled directly rather than asking the generator for a degenerate law.
            if (p.rMu() > 0) {
                Nd4j.getExecutioner().exec(new UniformDistribution(shift, -p.rMu(), p.rMu()), rng);
            } else {
                shift.assign(0);
            }
            if (p.rSigma() > 0) {
                Nd4j.getExecutioner().exec(new GaussianDistribution(scale, 0.0, p.rSigma()), rng);
            } else {
                scale.assign(0);
            }
        } catch (Exception closeFailed) {
            throw new IllegalStateException("could not release the ND4J random generator", closeFailed);
        }
        return new UnitDraw(mu, sigma);
    }

    /**
     * x[:, j, ...] += perUnit[j]. For NCHW arrays this runs on the [n·c, h·w] view with a column of
     * n·c values, whose rows are contiguous: several times faster than broadcasting along axis 1.
     */
    private static void addPerUnit(INDArray x, INDArray perUnit) {
        if (x.rank() == 2) {
            x.addiRowVector(perUnit);
            return;
        }
        long n = x.size(0), c = x.size(1);
        if (x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)) {
            INDArray rows = x.reshape('c', n * c, x.size(2) * x.size(3)); // a view: default strides
            rows.addiColumnVector(Nd4j.tile(perUnit, (int) n).reshape(n * c, 1));
        } else {
            Nd4j.getExecutioner().exec(new BroadcastAddOp(x, perUnit, x, 1));
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
