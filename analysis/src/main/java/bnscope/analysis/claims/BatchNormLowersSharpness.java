package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.SnapshotTables;

import java.util.ArrayList;
import java.util.List;

/**
 * Claim 9 (beyond the paper, issue 12): BatchNorm lowers the top Hessian eigenvalue λ_max along
 * training, the curvature reading of the paper's "smoother landscape" (Section 3; PyHessian).
 */
final class BatchNormLowersSharpness implements Claim {
    static final String LAMBDA_MAX = "λ_max";

    @Override
    public int number() {
        return 9;
    }

    @Override
    public String claim() {
        return "BatchNorm lowers the top Hessian eigenvalue λ_max along training (beyond the paper: the curvature view of Section 3's smoothness)";
    }

    @Override
    public String rule() {
        return "for each learning rate with both variants: standard − batchnorm of the per-seed median λ_max must exceed two standard "
                + "errors of the difference (below −2 SE: not reproduced); reproduced when every learning rate does; otherwise, and with "
                + "one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM);
        String statistic = "per seed, the median over the probed steps of λ_max (sharpness table: global block, k = 1, residual ≤ " + ReliableEigenvalues.RESIDUAL_LIMIT + ", mean over workers)";
        if (!data.has(SnapshotTables.SHARPNESS)) {
            return ClaimResult.notMeasured(this, statistic, "no sharpness table (train with probe.sharpness.every > 0)");
        }
        CellSamples s = data.medianSharpness();
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Double lr : s.sharedLearningRates(variants)) {
            values.addAll(s.table(LAMBDA_MAX, variants, lr));
            Difference d = new Difference(s.estimate(PaperReference.STANDARD, lr), s.estimate(PaperReference.BATCHNORM, lr));
            parts.add(Verdicts.higher(d));
            reasons.add(Verdicts.rate(lr) + ": standard − batchnorm " + d.describe());
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, data.withSharpnessFilter("no learning rate with sharpness rows of both standard and batchnorm"));
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts),
                data.withSharpnessFilter(String.join("; ", reasons)));
    }
}
