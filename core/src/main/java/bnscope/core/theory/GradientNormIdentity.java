package bnscope.core.theory;

/**
 * Theorem 4.1 (BatchNorm's effect on the Lipschitzness of the loss) for one unit, G = ∂L/∂y,
 * g = ∂L/∂z:
 * <pre>
 *   exact form:   ‖G‖² = (γ²/σ²) (‖g‖² − (1/m)⟨1,g⟩² − (1/m)⟨g,ŷ⟩²)        (an equality)
 *   printed form: ‖G‖² ≤ (γ²/σ²) (‖g‖² − (1/m)⟨1,g⟩² − (1/√m)⟨g,ŷ⟩²)
 * </pre>
 * The exact form follows from Fact C.1 because 1 and ŷ are orthogonal with ‖1‖² = ‖ŷ‖² = m. The
 * printed form's right side is smaller than the exact one by (γ²/σ²)(1/√m − 1/m)⟨g,ŷ⟩², so it is
 * violated whenever ⟨g,ŷ⟩ ≠ 0 and m > 1 (a misprint, docs/paper-protocol.md).
 */
public final class GradientNormIdentity {
    public static final String EXACT = "theorem_4_1_exact";
    public static final String PRINTED = "theorem_4_1_printed_sqrt_m";

    private GradientNormIdentity() {
    }

    /** The exact (1/m) form, with G taken from Fact C.1. */
    public static IdentityCheck exact(BatchNormUnit unit, double[] g) {
        return exact(unit, g, unit.inputGradient(g));
    }

    /** The exact (1/m) form, with G = ∂L/∂y observed elsewhere (e.g. a network's backprop). */
    public static IdentityCheck exact(BatchNormUnit unit, double[] g, double[] inputGradient) {
        return IdentityCheck.of(EXACT, IdentityCheck.Claim.EQUALITY,
                Vectors.normSquared(inputGradient), rhs(unit, g, 1.0 / unit.size()), largestTerm(unit, g));
    }

    /** The printed (1/√m) form, an upper-bound claim, with G taken from Fact C.1. */
    public static IdentityCheck printed(BatchNormUnit unit, double[] g) {
        return printed(unit, g, unit.inputGradient(g));
    }

    public static IdentityCheck printed(BatchNormUnit unit, double[] g, double[] inputGradient) {
        return IdentityCheck.of(PRINTED, IdentityCheck.Claim.AT_MOST,
                Vectors.normSquared(inputGradient), rhs(unit, g, 1.0 / Math.sqrt(unit.size())), largestTerm(unit, g));
    }

    /** (γ²/σ²)‖g‖², the term the others are subtracted from. */
    private static double largestTerm(BatchNormUnit unit, double[] g) {
        double s = unit.gamma() / unit.sigma();
        return s * s * Vectors.normSquared(g);
    }

    private static double rhs(BatchNormUnit unit, double[] g, double lastCoefficient) {
        Vectors.requireSameLength(g, unit.normalized());
        int m = unit.size();
        double sumG = Vectors.sum(g);
        double gDotYHat = Vectors.dot(g, unit.normalized());
        double s = unit.gamma() / unit.sigma();
        return s * s * (Vectors.normSquared(g) - sumG * sumG / m - lastCoefficient * gDotYHat * gDotYHat);
    }
}
