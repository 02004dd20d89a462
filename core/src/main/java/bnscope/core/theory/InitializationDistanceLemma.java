package bnscope.core.theory;

/**
 * Lemma 4.5 (BatchNorm leads to a favourable initialization): with ⟨W₀, W*⟩ > 0,
 * <pre>
 *   ‖W₀ − Ŵ*‖² ≤ ‖W₀ − W*‖² − (‖W*‖² − ⟨W*, W₀⟩)² / ‖W*‖²
 * </pre>
 * where Ŵ* is the closest optimum of the BatchNorm network. Because BatchNorm makes the loss
 * invariant to rescaling a layer's weights, every λW* (λ > 0) is such an optimum; we take the
 * closest, λ = ⟨W₀, W*⟩/‖W*‖², for which both sides equal ‖W₀‖² − ⟨W₀, W*⟩²/‖W*‖² (so the
 * check reports equality to rounding, and any closer BN optimum only lowers the left side).
 */
public final class InitializationDistanceLemma {
    public static final String IDENTITY = "lemma_4_5_initialization_distance";

    private InitializationDistanceLemma() {
    }

    /** W₀ and W* as flattened weights; requires ⟨W₀, W*⟩ > 0. */
    public static IdentityCheck check(double[] w0, double[] wStar) {
        double inner = Vectors.dot(w0, wStar);
        if (!(inner > 0)) {
            throw new IllegalArgumentException("Lemma 4.5 assumes <W0, W*> > 0, got " + inner);
        }
        double starSq = Vectors.normSquared(wStar);
        double[] scaledOptimum = Vectors.scaled(inner / starSq, wStar);
        double lhs = Vectors.normSquared(Vectors.plusScaled(w0, -1, scaledOptimum));
        double gap = starSq - inner;
        double distanceSq = Vectors.normSquared(Vectors.plusScaled(w0, -1, wStar));
        return IdentityCheck.of(IDENTITY, IdentityCheck.Claim.AT_MOST, lhs, distanceSq - gap * gap / starSq, distanceSq);
    }
}
