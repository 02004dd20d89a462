package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.List;

/** Claim 1 (Fig. 1): BatchNorm trains faster than the standard network at learning rate 0.1. */
final class BatchNormTrainsFaster implements Claim {
    static final double LEARNING_RATE = 0.1;

    @Override
    public int number() {
        return 1;
    }

    @Override
    public String claim() {
        return "BatchNorm trains faster than the standard network at lr 0.1 (Fig. 1)";
    }

    @Override
    public String rule() {
        return "reproduced when batchnorm's mean training accuracy exceeds standard's by more than two standard errors of the "
                + "difference; not reproduced when it is lower by more than two; otherwise, and with one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM);
        String statistic = "smoothed training accuracy at a fixed step, lr " + LEARNING_RATE;
        if (!data.has(MetricTables.CURVES)) {
            return ClaimResult.notMeasured(this, statistic, "no curves table (run `analyze`)");
        }
        if (!data.accuracyDefined()) {
            return ClaimResult.notMeasured(this, statistic, "accuracy is not defined for this network (a regression)");
        }
        Double lr = Verdicts.find(data.trainingLength().sharedLearningRates(variants), LEARNING_RATE);
        if (lr == null) {
            return ClaimResult.notMeasured(this, statistic, "the run has no standard and batchnorm cells at lr " + LEARNING_RATE);
        }
        long step = data.readOffStep(variants, lr);
        statistic = "smoothed training accuracy after " + step + " steps (window " + data.options().smoothingWindow() + "), lr " + LEARNING_RATE;
        CellSamples acc = data.trainAccuracyAt(step);
        Difference d = new Difference(acc.estimate(PaperReference.BATCHNORM, lr), acc.estimate(PaperReference.STANDARD, lr));
        return new ClaimResult(number(), claim(), statistic, acc.table("", variants, lr), rule(), Verdicts.higher(d),
                "batchnorm − standard: " + d.describe());
    }
}
