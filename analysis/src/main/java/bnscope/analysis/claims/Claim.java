package bnscope.analysis.claims;

/**
 * One of the paper's claims as a check on a run: its words, its decision rule, and how it is
 * evaluated from the run's metric tables ({@link ClaimData}). A claim is one small class; to add
 * one, implement this and list it in {@link Claims#all()}.
 */
public interface Claim {
    /** The claim's number in the claims table (1–8 from issue 11; new claims take the next numbers). */
    int number();

    /** The claim, in the paper's words. */
    String claim();

    /** The decision rule, in words. */
    String rule();

    /** Evaluates the claim on the run's data; "not measured" when the run lacks what it needs. */
    ClaimResult evaluate(ClaimData data);
}
