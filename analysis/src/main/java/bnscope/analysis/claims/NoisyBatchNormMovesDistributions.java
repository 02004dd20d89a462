package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.ArrayList;
import java.util.List;

/** Claim 4 (Fig. 2 and 8): noisy BatchNorm's layer-input distributions move more than the standard network's. */
final class NoisyBatchNormMovesDistributions implements Claim {
    @Override
    public int number() {
        return 4;
    }

    @Override
    public String claim() {
        return "Noisy BatchNorm's layer-input distributions move more than the standard network's (Fig. 2 and 8)";
    }

    @Override
    public String rule() {
        return "at each learning rate with both variants: reproduced when noisy − standard exceeds two standard errors of the "
                + "difference; not reproduced when below −2 SE; otherwise, and with one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.NOISY);
        String statistic = "median over recorded steps of |Δ mean| of the layer inputs between consecutive recorded steps "
                + "(moments.delta_mean, averaged over the recorded layers and units)";
        if (!data.has(MetricTables.MOMENTS)) {
            return ClaimResult.notMeasured(this, statistic, "no moments table (the run recorded no activations, or run `analyze`)");
        }
        CellSamples change = data.inputMeanChange();
        List<Double> rates = change.sharedLearningRates(variants);
        if (rates.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "the run has no learning rate with standard and noisy-batchnorm "
                    + "layer-input moments at two recorded steps or more");
        }
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Double lr : rates) {
            values.addAll(change.table("", variants, lr));
            Difference d = new Difference(change.estimate(PaperReference.NOISY, lr), change.estimate(PaperReference.STANDARD, lr));
            parts.add(Verdicts.higher(d));
            reasons.add(Verdicts.rate(lr) + ": noisy − standard " + d.describe());
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts), String.join("; ", reasons));
    }
}
