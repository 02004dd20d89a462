package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Claim 6 (Fig. 4): BatchNorm makes the landscape smoother: narrower loss band and gradient band, lower effective β. */
final class BatchNormSmoothsLandscape implements Claim {
    static final String LOSS_BAND = "loss band width";
    static final String GRADIENT_BAND = "gradient-predictiveness band width";
    static final String BETA = "effective β-smoothness";

    @Override
    public int number() {
        return 6;
    }

    @Override
    public String claim() {
        return "BatchNorm smooths the loss landscape: a narrower loss band and gradient band and a lower β-smoothness (Fig. 4)";
    }

    @Override
    public String rule() {
        return "for each of the three measures and each learning rate with both variants: standard − batchnorm must exceed two "
                + "standard errors of the difference (below −2 SE: not reproduced); reproduced when all do; otherwise, and with "
                + "one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM);
        String statistic = "medians over the probed steps before step " + PaperReference.LANDSCAPE_WINDOW_STEPS + " of the loss band "
                + "width (max − min over η), the gradient band width and the effective β-smoothness";
        if (!data.has(MetricTables.LANDSCAPE_METRICS)) {
            return ClaimResult.notMeasured(this, statistic, "no landscape_metrics table (the run recorded no landscape rows, or run `analyze`)");
        }
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, CellSamples> e : data.landscape().entrySet()) {
            CellSamples s = e.getValue();
            for (Double lr : s.sharedLearningRates(variants)) {
                values.addAll(s.table(e.getKey(), variants, lr));
                Difference d = new Difference(s.estimate(PaperReference.STANDARD, lr), s.estimate(PaperReference.BATCHNORM, lr));
                parts.add(Verdicts.higher(d));
                reasons.add(e.getKey() + " " + Verdicts.rate(lr) + ": standard − batchnorm " + d.describe());
            }
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "no learning rate with landscape rows of both standard and batchnorm");
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts), String.join("; ", reasons));
    }
}
