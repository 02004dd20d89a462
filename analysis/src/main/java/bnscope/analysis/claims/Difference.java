package bnscope.analysis.claims;

import java.util.Locale;

/**
 * The shared decision rule of the claims: the difference of two means over seeds, a − b, against
 * two standard errors of that difference, √(sd_a²/n_a + sd_b²/n_b) (Welch's standard error; about
 * a 95% interval). With one seed on either side there is no standard error and nothing is decided.
 */
public record Difference(Estimate a, Estimate b) {
    /** How many standard errors a difference must exceed to count. */
    public static final double STANDARD_ERRORS = 2.0;

    public double value() {
        return a.mean() - b.mean();
    }

    public double standardError() {
        return Math.sqrt(a.sd() * a.sd() / a.n() + b.sd() * b.sd() / b.n());
    }

    /** Both sides have at least two seeds, so the rule can decide. */
    public boolean decidable() {
        return a.n() > 1 && b.n() > 1 && Double.isFinite(standardError());
    }

    /** a − b > 2 SE. */
    public boolean above() {
        return decidable() && value() > STANDARD_ERRORS * standardError();
    }

    /** a − b < −2 SE. */
    public boolean below() {
        return decidable() && value() < -STANDARD_ERRORS * standardError();
    }

    /** a − b + margin > 2 SE: a is not worse than b by more than {@code margin}, beyond the rule's doubt. */
    public boolean aboveMinus(double margin) {
        return decidable() && value() + margin > STANDARD_ERRORS * standardError();
    }

    /** a − b + margin < −2 SE: a is worse than b by more than {@code margin}, beyond doubt. */
    public boolean belowMinus(double margin) {
        return decidable() && value() + margin < -STANDARD_ERRORS * standardError();
    }

    /** "difference 0.34, 2 SE = 0.03" (or "one seed: no standard error"). */
    public String describe() {
        if (!decidable()) {
            return String.format(Locale.ROOT, "difference %s; %s", Estimate.number(value()), oneSeedNote());
        }
        return String.format(Locale.ROOT, "difference %s, 2 SE = %s", Estimate.number(value()),
                Estimate.number(STANDARD_ERRORS * standardError()));
    }

    private String oneSeedNote() {
        return a.n() < 2 || b.n() < 2 ? "n = 1 seed: no standard error, so no decision" : "standard error undefined (non-finite values)";
    }
}
