package bnscope.core.config;

import bnscope.core.layers.DistributionShift;
import bnscope.core.layers.NoiseGenerator;

import java.io.Serializable;

/**
 * The {@code noise.*} keys: the distribution shift noisy BatchNorm injects (the paper's Section 2.1).
 *
 * @param nMu    noise.n_mu: per-step channel mean shift mu_j ~ U(-n_mu, n_mu)
 * @param nSigma noise.n_sigma: per-step channel scale sigma_j ~ U(1, n_sigma)
 * @param rMu    noise.r_mu: per-sample shift m_ij ~ U(mu_j - r_mu, mu_j + r_mu)
 * @param rSigma noise.r_sigma: per-sample scale s_ij ~ N(sigma_j, r_sigma)
 * @param generator noise.generator: the random stream the draws come from
 */
public record NoiseSettings(double nMu, double nSigma, double rMu, double rSigma, NoiseGenerator generator)
        implements Serializable {

    /** The same values as the noise layer takes them. */
    public DistributionShift.Parameters parameters() {
        return new DistributionShift.Parameters(nMu, nSigma, rMu, rSigma, generator);
    }
}
