package bnscope.core.theory;

import java.util.function.UnaryOperator;

/**
 * Theorem 4.2 (BatchNorm's effect on the quadratic form of the loss Hessian) for one unit,
 * G = ∂L/∂y, g = ∂L/∂z, H = ∂²L/∂z², Ĥ = ∂²L/∂y²:
 * <pre>
 *   Gᵀ Ĥ G = (γ²/σ²) Gᵀ H G − (γ/(mσ²)) ⟨g, ŷ⟩ ‖G‖²
 * </pre>
 * an equality (G lies in the span BatchNorm's Jacobian keeps, and the second derivative of ŷ
 * along such G is −ŷ‖G‖²/(mσ²)). Both quadratic forms are measured by central differences of
 * gradients along the unit direction u = G/‖G‖, then scaled by ‖G‖²:
 * uᵀHu ≈ ⟨u, ∇_zL(z + t_z u) − ∇_zL(z − t_z u)⟩ / 2t_z and likewise in y with t_y. The steps are
 * {@code relativeStep} times each side's own scale, t_y = r·σ and t_z = r·|γ|: since G is orthogonal
 * to 1 and ŷ, BatchNorm maps the y-step t_y·u to the z-step (γ/σ)·t_y·u, so both differences move the
 * activations by the same relative amount (and a unit with σ far from |γ| is not probed with a step
 * that is too coarse on one side and lost in rounding on the other).
 */
public final class HessianQuadraticForm {
    public static final String IDENTITY = "theorem_4_2_hessian_quadratic_form";
    /**
     * A step of 1e-4 of the activations' scale balances truncation (∝ t²) against rounding (∝ 1/t) in
     * double precision for smooth losses; through ReLU and max-pooling the theory job uses a smaller one
     * ({@link LiveBatchNormChecks#DEFAULT_HESSIAN_STEP}).
     */
    public static final double DEFAULT_RELATIVE_STEP = 1e-4;

    private HessianQuadraticForm() {
    }

    /**
     * The check for a loss given by its gradient in z, ∂L/∂z as a function of the unit's output z
     * (everything else held fixed). ∂L/∂y is then composed from Fact C.1 at the shifted y.
     */
    public static IdentityCheck check(BatchNormUnit unit, UnaryOperator<double[]> lossGradientAtZ, double relativeStep) {
        UnaryOperator<double[]> lossGradientAtY = y -> {
            BatchNormUnit shifted = BatchNormUnit.of(y, unit.gamma(), unit.beta());
            return shifted.inputGradient(lossGradientAtZ.apply(shifted.output()));
        };
        return check(unit, lossGradientAtZ, lossGradientAtY, relativeStep);
    }

    /**
     * The check when ∂L/∂y comes from elsewhere, e.g. a live network's backprop through its
     * BatchNorm layer with this unit's pre-BN values replaced by the argument.
     */
    public static IdentityCheck check(BatchNormUnit unit, UnaryOperator<double[]> lossGradientAtZ,
                                      UnaryOperator<double[]> lossGradientAtY, double relativeStep) {
        return check(unit, lossGradientAtZ.apply(unit.output()), lossGradientAtZ, lossGradientAtY, relativeStep);
    }

    /** As above, with g = ∂L/∂z at the unit's output already known (saves one gradient evaluation). */
    public static IdentityCheck check(BatchNormUnit unit, double[] g, UnaryOperator<double[]> lossGradientAtZ,
                                      UnaryOperator<double[]> lossGradientAtY, double relativeStep) {
        double[] bigG = unit.inputGradient(g);
        double gNormSq = Vectors.normSquared(bigG);
        if (gNormSq == 0) {
            throw new IllegalArgumentException("∂L/∂y is zero: both sides of Theorem 4.2 vanish");
        }
        double[] u = Vectors.scaled(1 / Math.sqrt(gNormSq), bigG);

        double uHu = directionalCurvature(lossGradientAtZ, unit.output(), u, relativeStep * Math.abs(unit.gamma()));
        double uHatHu = directionalCurvature(lossGradientAtY, unit.preActivations(), u, relativeStep * unit.sigma());

        double gTHG = gNormSq * uHu;
        double lhs = gNormSq * uHatHu;
        double sigmaSq = unit.sigma() * unit.sigma();
        double curvatureTerm = unit.gamma() * unit.gamma() / sigmaSq * gTHG;
        double shiftTerm = unit.gamma() / (unit.size() * sigmaSq) * Vectors.dot(g, unit.normalized()) * gNormSq;
        return IdentityCheck.of(IDENTITY, IdentityCheck.Claim.EQUALITY, lhs, curvatureTerm - shiftTerm,
                Math.max(Math.abs(curvatureTerm), Math.abs(shiftTerm)));
    }

    /**
     * Gᵀ H G with H the Hessian of the function whose gradient is {@code gradient}, by central
     * differences at {@code point} along G (exposed for checking the z-side measurement alone).
     */
    public static double quadraticForm(UnaryOperator<double[]> gradient, double[] point, double[] direction, double step) {
        double normSq = Vectors.normSquared(direction);
        double[] u = Vectors.scaled(1 / Math.sqrt(normSq), direction);
        return normSq * directionalCurvature(gradient, point, u, step);
    }

    private static double directionalCurvature(UnaryOperator<double[]> gradient, double[] point, double[] u, double t) {
        double[] plus = gradient.apply(Vectors.plusScaled(point, t, u));
        double[] minus = gradient.apply(Vectors.plusScaled(point, -t, u));
        return (Vectors.dot(u, plus) - Vectors.dot(u, minus)) / (2 * t);
    }
}
