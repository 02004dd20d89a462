package bnscope.analysis.claims;

/** What the data say about one of the paper's claims. */
public enum Verdict {
    /** The decision rule holds in the claim's direction. */
    REPRODUCED("reproduced"),
    /** The data contradict the claim beyond the rule's margin. */
    NOT_REPRODUCED("not reproduced"),
    /** Measured, but the data cannot decide (one seed, or a difference within the margin). */
    INCONCLUSIVE("inconclusive"),
    /** The run lacks the variants, learning rates or tables the claim needs. */
    NOT_MEASURED("not measured");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The verdict in words, as the claims table prints it. */
    public String label() {
        return label;
    }
}
