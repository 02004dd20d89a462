package bnscope.core.theory;

/**
 * The paper's Fact C.1 (BatchNorm backward) against a gradient obtained elsewhere, e.g. DL4J's
 * BatchNormalization backprop or finite differences.
 */
public final class BatchNormBackwardCheck {
    public static final String IDENTITY = "fact_c1_batchnorm_backward";

    private BatchNormBackwardCheck() {
    }

    /**
     * lhs = ‖observed ∂L/∂y‖, rhs = ‖Fact C.1 formula‖, relative error = ‖observed − formula‖ /
     * max of the two norms.
     */
    public static IdentityCheck compare(BatchNormUnit unit, double[] g, double[] observedInputGradient) {
        double[] formula = unit.inputGradient(g);
        Vectors.requireSameLength(formula, observedInputGradient);
        double lhs = Math.sqrt(Vectors.normSquared(observedInputGradient));
        double rhs = Math.sqrt(Vectors.normSquared(formula));
        double diff = Math.sqrt(Vectors.normSquared(Vectors.plusScaled(observedInputGradient, -1, formula)));
        double scale = Math.max(lhs, rhs);
        return new IdentityCheck(IDENTITY, IdentityCheck.Claim.EQUALITY, lhs, rhs, scale == 0 ? 0 : diff / scale);
    }
}
