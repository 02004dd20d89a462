package bnscope.core.models;

import bnscope.core.layers.DistributionShift;
import bnscope.core.layers.FusedBatchNormalization;
import bnscope.core.layers.LpNormalization;
import bnscope.core.layers.NoisyBatchNorm;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;

/**
 * The one place that decides which layers a {@link Variant} puts after a conv or dense layer
 * (before its non-linearity), for VGG and the deep linear network alike:
 * standard: none; batchnorm: DL4J BatchNormalization; noisy-batchnorm: BatchNormalization followed
 * by {@link NoisyBatchNorm} (noise after BN's γ/β); l1/l2/linf: {@link LpNormalization}.
 * With {@link Implementation#FUSED} BatchNorm is {@link FusedBatchNormalization} (same function and
 * parameters, fused kernel); with {@link Implementation#DL4J} it is DL4J's own layer.
 */
public final class NormalizationLayers {
    /** DL4J's BatchNormalization defaults, stated so the manifest and docs can name them. */
    public static final double BATCHNORM_DECAY = 0.9;
    public static final double BATCHNORM_EPS = 1e-5;

    private NormalizationLayers() {
    }

    /**
     * @param variant the network variant
     * @param name    the preceding weight layer's name; the new layers are named name/bn, name/noise, name/lp
     * @param seed    noise seed (noisy-batchnorm only)
     * @param noise   noise magnitudes (noisy-batchnorm only)
     */
    public static List<Layer> after(Variant variant, String name, long seed, DistributionShift.Parameters noise,
                                    Implementation implementation) {
        return switch (variant) {
            case STANDARD -> List.of();
            case BATCHNORM -> List.of(batchNorm(name, implementation));
            case NOISY_BATCHNORM -> List.of(batchNorm(name, implementation), new NoisyBatchNorm.Builder(seed).nMu(noise.nMu()).nSigma(noise.nSigma())
                    .rMu(noise.rMu()).rSigma(noise.rSigma()).generator(noise.generator()).name(name + "/noise").build());
            case L1 -> List.of(lp(LpNormalization.Norm.L1, name));
            case L2 -> List.of(lp(LpNormalization.Norm.L2, name));
            case LINF -> List.of(lp(LpNormalization.Norm.LINF, name));
        };
    }

    private static Layer batchNorm(String name, Implementation implementation) {
        if (implementation == Implementation.FUSED) {
            return FusedBatchNormalization.of(BATCHNORM_DECAY, BATCHNORM_EPS, name + "/bn");
        }
        return new BatchNormalization.Builder().decay(BATCHNORM_DECAY).eps(BATCHNORM_EPS).name(name + "/bn").build();
    }

    private static Layer lp(LpNormalization.Norm norm, String name) {
        return new LpNormalization.Builder(norm).name(name + "/lp").build();
    }
}
