package bnscope.core.theory;

/**
 * One numerical check of a statement from the paper's Section 4 / Appendix C on concrete numbers:
 * the statement's name, what it claims (lhs = rhs, or lhs ≤ rhs), both sides, and
 * |lhs − rhs| / max(|lhs|, |rhs|). A {@code theory_checks} table row is built from these fields
 * plus {@link #holds(double)}.
 *
 * <p>The relative error is taken against the largest term of the statement (at least max(|lhs|,
 * |rhs|)), because several statements subtract terms that nearly cancel: for m = 2 BatchNorm's
 * input gradient is exactly zero, and |lhs − rhs| / max(|lhs|, |rhs|) would compare two rounding
 * residues.
 *
 * <p>For a vector statement (Fact C.1), lhs and rhs are the Euclidean norms of the two vectors and
 * the relative error is ‖lhs − rhs‖ / max(‖lhs‖, ‖rhs‖) of the vectors themselves.
 */
public record IdentityCheck(String identity, Claim claim, double lhs, double rhs, double relativeError) {

    /** What the statement asserts about its two sides. */
    public enum Claim {
        EQUALITY("lhs = rhs"), AT_MOST("lhs <= rhs");

        private final String text;

        Claim(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** A scalar statement; the relative error is |lhs − rhs| / max(|lhs|, |rhs|). */
    public static IdentityCheck of(String identity, Claim claim, double lhs, double rhs) {
        return of(identity, claim, lhs, rhs, 0);
    }

    /**
     * A scalar statement whose sides are built from terms as large as {@code termScale}: the
     * relative error is |lhs − rhs| / max(|lhs|, |rhs|, |termScale|).
     */
    public static IdentityCheck of(String identity, Claim claim, double lhs, double rhs, double termScale) {
        double scale = Math.max(Math.max(Math.abs(lhs), Math.abs(rhs)), Math.abs(termScale));
        return new IdentityCheck(identity, claim, lhs, rhs, scale == 0 ? 0 : Math.abs(lhs - rhs) / scale);
    }

    /**
     * Whether the claim is true up to {@code tolerance} relative error: for an equality the
     * relative error is at most the tolerance; for an upper bound lhs ≤ rhs, or lhs exceeds rhs
     * by no more than the tolerance.
     */
    public boolean holds(double tolerance) {
        if (claim == Claim.EQUALITY) {
            return relativeError <= tolerance;
        }
        return lhs <= rhs || relativeError <= tolerance;
    }
}
