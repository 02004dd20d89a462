package bnscope.analysis.claims;

import bnscope.analysis.report.PaperReference;
import bnscope.analysis.report.Series;
import bnscope.core.tables.MetricTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Claim 5 (Fig. 3): BatchNorm does not reduce internal covariate shift measured as the change of
 * gradients: cos(G, G') is not higher and ‖G − G'‖ not lower with BatchNorm, per layer and early and
 * late in training (they may differ, so both are reported).
 */
final class BatchNormDoesNotReduceIcs implements Claim {
    static final String COSINE = "cos(G,G')";
    static final String DIFFERENCE = "‖G−G'‖";

    @Override
    public int number() {
        return 5;
    }

    @Override
    public String claim() {
        return "BatchNorm does not reduce ICS: cos(G, G') is not higher and ‖G − G'‖ not lower with BatchNorm (Fig. 3)";
    }

    @Override
    public String rule() {
        return "for each layer, training window (early, late) and learning rate with both variants: not reproduced when batchnorm's "
                + "cosine exceeds standard's, or standard's ‖G − G'‖ exceeds batchnorm's, by more than two standard errors of the "
                + "difference; reproduced when no (layer, window) shows that; with one seed inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        List<String> variants = List.of(PaperReference.STANDARD, PaperReference.BATCHNORM);
        String statistic = "median over the probed steps of cos(G, G') and of ‖G − G'‖ (W, mean over workers)";
        if (!data.has(MetricTables.ICS_METRICS)) {
            return ClaimResult.notMeasured(this, statistic, "no ics_metrics table (the run recorded no ics rows, or run `analyze`)");
        }
        List<Integer> present = data.icsLayers();
        if (present.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "ics_metrics has no W rows");
        }
        List<Integer> layers = Series.clipAll(data.options().gradientShiftLayers(), new TreeSet<>(present));
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> contradicted = new ArrayList<>();
        boolean oneSeed = false;
        for (Map.Entry<String, CellSamples> e : data.gradientShift(layers).entrySet()) {
            CellSamples s = e.getValue();
            for (Double lr : s.sharedLearningRates(variants)) {
                values.addAll(s.table(e.getKey(), variants, lr));
                boolean cosine = e.getKey().startsWith(COSINE);
                // cosine: batchnorm not higher; difference: batchnorm not lower (standard not higher)
                Difference d = cosine ? new Difference(s.estimate(PaperReference.BATCHNORM, lr), s.estimate(PaperReference.STANDARD, lr))
                        : new Difference(s.estimate(PaperReference.STANDARD, lr), s.estimate(PaperReference.BATCHNORM, lr));
                Verdict v = Verdicts.notHigher(d);
                parts.add(v);
                oneSeed |= !d.decidable();
                if (v == Verdict.NOT_REPRODUCED) {
                    contradicted.add(e.getKey() + " " + Verdicts.rate(lr) + " (" + (cosine ? "batchnorm − standard " : "standard − batchnorm ")
                            + d.describe() + ")");
                }
            }
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "no layer has ics rows of both standard and batchnorm at one learning rate");
        }
        String reason = !contradicted.isEmpty() ? "BatchNorm reduces the shift at " + String.join("; ", contradicted)
                : oneSeed ? "n = 1 seed (or undefined spread) in some comparisons: no standard error, so no decision"
                : "no layer or window where batchnorm's cosine is higher or its ‖G − G'‖ lower by more than two standard errors";
        return new ClaimResult(number(), claim(), statistic + " at layers " + layers, values, rule(), Verdicts.all(parts), reason);
    }
}
