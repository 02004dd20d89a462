package bnscope.analysis.claims;

import java.util.List;

/**
 * One row of the claims table: the claim in the paper's words, the statistic used, its values per
 * (variant, learning rate) over the seeds, the decision rule in words, the verdict and why.
 *
 * @param number    the claim's number (issue 11: 1–8; later claims continue the numbering)
 * @param claim     the claim, in the paper's words
 * @param statistic what is measured per seed, and where (step, layers, window)
 * @param values    the statistic per (measure, variant, learning rate): mean ± sd over n seeds
 * @param rule      the decision rule in words
 * @param verdict   reproduced / not reproduced / inconclusive / not measured
 * @param reason    the numbers behind the verdict (or what the run lacks)
 */
public record ClaimResult(int number, String claim, String statistic, List<Value> values, String rule, Verdict verdict,
                          String reason) {
    public ClaimResult {
        values = List.copyOf(values);
    }

    /**
     * The statistic of one (variant, learning rate) over its seeds.
     *
     * @param measure      which statistic when a claim has several (e.g. "cos(G,G'), layer #5, early"), else ""
     * @param learningRate the cells' learning rate (null when the run does not record it)
     */
    public record Value(String measure, String variant, Double learningRate, Estimate estimate) {
        /** "batchnorm, lr 0.1" (with the measure first when there is one). */
        public String label() {
            String cell = variant + ", lr " + (learningRate == null ? "?" : Estimate.number(learningRate));
            return measure.isEmpty() ? cell : measure + ": " + cell;
        }
    }

    /** A claim whose inputs the run lacks. */
    static ClaimResult notMeasured(Claim c, String statistic, String why) {
        return new ClaimResult(c.number(), c.claim(), statistic, List.of(), c.rule(), Verdict.NOT_MEASURED, why);
    }
}
