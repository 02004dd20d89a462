package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.ArrayList;
import java.util.List;

/**
 * Claim 7 (Section 4.2, Appendix A): the ℓp normalizations match or beat BatchNorm; on the deep
 * linear network ℓ1 does best. On VGG the measure is training accuracy at a fixed step; on the deep
 * linear network (no accuracy) the final training loss, lower being better.
 */
final class LpNormalizationsMatchBatchNorm implements Claim {
    static final String L1 = "l1";

    @Override
    public int number() {
        return 7;
    }

    @Override
    public String claim() {
        return "ℓp normalizations match or beat BatchNorm; ℓ1 does best on the deep linear network (Section 4.2)";
    }

    @Override
    public String rule() {
        return "match or beat: not reproduced when batchnorm is better than an ℓp variant by more than two standard errors of the "
                + "difference, reproduced otherwise; on the deep linear network also: l1's final loss must be below every other "
                + "variant's by more than two standard errors; with one seed inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        boolean vgg = data.has(MetricTables.CURVES) && data.accuracyDefined();
        String statistic = vgg ? "smoothed training accuracy at a fixed step (higher is better)" : "final smoothed training loss (lower is better)";
        if (!data.has(MetricTables.CURVES)) {
            return ClaimResult.notMeasured(this, statistic, "no curves table (run `analyze`)");
        }
        CellSamples cells = data.trainingLength();
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Double lr : cells.sharedLearningRates(List.of(PaperReference.BATCHNORM))) {
            List<String> lp = PaperReference.LP_NORMS.stream().filter(v -> cells.has(v, lr)).toList();
            if (lp.isEmpty()) {
                continue;
            }
            List<String> variants = new ArrayList<>(List.of(PaperReference.BATCHNORM));
            variants.addAll(lp);
            CellSamples s;
            if (vgg) {
                long step = data.readOffStep(variants, lr);
                s = data.trainAccuracyAt(step);
                reasons.add(Verdicts.rate(lr) + ", after " + step + " steps");
            } else {
                s = data.finalTrainLoss();
                reasons.add(Verdicts.rate(lr));
            }
            // on the deep linear network l1 is compared with every variant, so all are shown
            List<String> all = s.variantsAt(lr);
            values.addAll(s.table("", vgg ? variants : all, lr));
            for (String v : lp) {
                // "better" is higher accuracy, or lower loss
                Difference batchnormBetter = vgg ? new Difference(s.estimate(PaperReference.BATCHNORM, lr), s.estimate(v, lr))
                        : new Difference(s.estimate(v, lr), s.estimate(PaperReference.BATCHNORM, lr));
                parts.add(Verdicts.notHigher(batchnormBetter));
                reasons.add("batchnorm's advantage over " + v + " " + batchnormBetter.describe());
            }
            if (!vgg && lp.contains(L1)) {
                for (String other : all) {
                    if (!other.equals(L1)) {
                        Difference d = new Difference(s.estimate(other, lr), s.estimate(L1, lr));
                        parts.add(Verdicts.higher(d));
                        reasons.add(other + " − l1 loss " + d.describe());
                    }
                }
            }
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "the run has no ℓp variant (l1, l2, linf) beside batchnorm at one learning rate");
        }
        if (vgg) {
            reasons.add("the deep-linear-network half (l1 best) needs a DLN run: not measured here");
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts), String.join("; ", reasons));
    }
}
