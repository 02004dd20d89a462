package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.core.tables.MetricTables;

import java.util.List;
import java.util.Locale;

/** Claim 2 (Fig. 1, lr 0.5): the standard network fails to train while BatchNorm trains. */
final class StandardFailsAtHighLearningRate implements Claim {
    static final double LEARNING_RATE = 0.5;
    /** A 10-class net that learned nothing sits at ln 10; "near" = within 10% of it, or above. */
    static final double FAILED_LOSS = 0.9 * Math.log(10);

    @Override
    public int number() {
        return 2;
    }

    @Override
    public String claim() {
        return "At lr 0.5 the standard network fails to train (loss stays near ln 10) while BatchNorm trains (Fig. 1)";
    }

    @Override
    public String rule() {
        return String.format(Locale.ROOT, "a seed failed to train when its final smoothed training loss is at least 0.9·ln 10 = %.3f "
                + "(or diverged); reproduced when every standard seed failed and every batchnorm seed trained, with at least two "
                + "seeds each; not reproduced when every standard seed trained or every batchnorm seed failed (two seeds or more); "
                + "otherwise, and with one seed, inconclusive", FAILED_LOSS);
    }

    private static boolean failed(double loss) {
        return !(loss < FAILED_LOSS);
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM);
        String statistic = "final smoothed training loss, lr " + LEARNING_RATE;
        if (!data.has(MetricTables.CURVES)) {
            return ClaimResult.notMeasured(this, statistic, "no curves table (run `analyze`)");
        }
        if (!data.accuracyDefined()) {
            return ClaimResult.notMeasured(this, statistic, "a regression network: ln 10 is the chance level of 10-class cross-entropy only");
        }
        CellSamples loss = data.finalTrainLoss();
        Double lr = Verdicts.find(loss.sharedLearningRates(variants), LEARNING_RATE);
        if (lr == null) {
            return ClaimResult.notMeasured(this, statistic, "the run has no standard and batchnorm cells at lr " + LEARNING_RATE);
        }
        List<Double> standard = loss.values(PaperReference.STANDARD, lr);
        List<Double> batchnorm = loss.values(PaperReference.BATCHNORM, lr);
        long standardFailed = standard.stream().filter(StandardFailsAtHighLearningRate::failed).count();
        long batchnormFailed = batchnorm.stream().filter(StandardFailsAtHighLearningRate::failed).count();
        String counts = "standard failed in " + standardFailed + " of " + standard.size() + " seeds, batchnorm in "
                + batchnormFailed + " of " + batchnorm.size();
        Verdict verdict;
        if (standard.size() < 2 || batchnorm.size() < 2) {
            verdict = Verdict.INCONCLUSIVE;
            counts += "; n = 1 seed: inconclusive";
        } else if (standardFailed == standard.size() && batchnormFailed == 0) {
            verdict = Verdict.REPRODUCED;
        } else if (standardFailed == 0 || batchnormFailed == batchnorm.size()) {
            verdict = Verdict.NOT_REPRODUCED;
        } else {
            verdict = Verdict.INCONCLUSIVE;
        }
        return new ClaimResult(number(), claim(), statistic, loss.table("", variants, lr), rule(), verdict, counts);
    }
}
