package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.ArrayList;
import java.util.List;

/** Claim 3 (Fig. 2): noisy BatchNorm trains almost as well as BatchNorm and better than the standard network. */
final class NoisyBatchNormTrainsWell implements Claim {
    /**
     * "Almost as well": at most this far (accuracy, 0..1) below BatchNorm. The paper's read-offs put
     * noisy BN 3–6 points below BN (69/77/88% against 72/83/94% at 0.5k/1k/2k steps).
     */
    static final double ALMOST = 0.10;

    @Override
    public int number() {
        return 3;
    }

    @Override
    public String claim() {
        return "Noisy BatchNorm trains almost as well as BatchNorm and better than the standard network (Fig. 2)";
    }

    @Override
    public String rule() {
        return "at each learning rate with all three variants: noisy − standard must exceed two standard errors (below −2 SE: not "
                + "reproduced), and noisy − batchnorm + 0.10 (\"almost\": at most 10 accuracy points behind) must exceed two standard "
                + "errors (below −2 SE: not reproduced); otherwise, and with one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM, PaperReference.NOISY);
        String statistic = "smoothed training accuracy at a fixed step";
        if (!data.has(MetricTables.CURVES)) {
            return ClaimResult.notMeasured(this, statistic, "no curves table (run `analyze`)");
        }
        if (!data.accuracyDefined()) {
            return ClaimResult.notMeasured(this, statistic, "accuracy is not defined for this network (a regression)");
        }
        List<Double> rates = data.trainingLength().sharedLearningRates(variants);
        if (rates.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "the run has no learning rate with standard, batchnorm and noisy-batchnorm cells");
        }
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        for (Double lr : rates) {
            long step = data.readOffStep(variants, lr);
            steps.add(step + " steps at " + Verdicts.rate(lr));
            CellSamples acc = data.trainAccuracyAt(step);
            values.addAll(acc.table("", variants, lr));
            Difference better = new Difference(acc.estimate(PaperReference.NOISY, lr), acc.estimate(PaperReference.STANDARD, lr));
            Difference behind = new Difference(acc.estimate(PaperReference.NOISY, lr), acc.estimate(PaperReference.BATCHNORM, lr));
            parts.add(Verdicts.higher(better));
            parts.add(behind.aboveMinus(ALMOST) ? Verdict.REPRODUCED : behind.belowMinus(ALMOST) ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE);
            reasons.add(Verdicts.rate(lr) + ": noisy − standard " + better.describe() + "; noisy − batchnorm " + behind.describe());
        }
        return new ClaimResult(number(), claim(), statistic + " (after " + String.join(", ", steps) + ")", values, rule(),
                Verdicts.all(parts), String.join("; ", reasons));
    }
}
