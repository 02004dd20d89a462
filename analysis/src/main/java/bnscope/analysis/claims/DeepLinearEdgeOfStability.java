package bnscope.analysis.claims;

import bnscope.core.tables.SnapshotTables;

import java.util.ArrayList;
import java.util.List;

/**
 * Claim 10 (beyond the paper, issue 12; Cohen et al. 2021, "Edge of Stability"): under full-batch
 * gradient descent the deep linear network's λ_max rises to about 2/η and hovers there, so late in
 * training λ_max·η/2 is within 10% of 1.
 */
final class DeepLinearEdgeOfStability implements Claim {
    static final String RATIO = "λ_max·η/2, late";
    /** How far from 1 the late λ_max·η/2 may be. */
    static final double WITHIN = 0.10;

    @Override
    public int number() {
        return 10;
    }

    @Override
    public String claim() {
        return "Full-batch gradient descent on the deep linear network reaches the edge of stability: λ_max within 10% of 2/η (Cohen et al. 2021)";
    }

    @Override
    public String rule() {
        return "per (variant, lr): the mean over seeds of λ_max·η/2 ± two standard errors must lie within [0.9, 1.1] (reproduced) "
                + "or entirely outside it (not reproduced); reproduced when every (variant, lr) is; otherwise, and with one seed, inconclusive";
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        String statistic = "per seed, the median over the second half of the probed steps of λ_max·η/2 (sharpness: global block, k = 1, residual ≤ " + ReliableEigenvalues.RESIDUAL_LIMIT + ", "
                + "mean over workers; η the cell's learning rate)";
        if (!"dln".equals(data.recorded("model.kind"))) {
            return ClaimResult.notMeasured(this, statistic, "not a deep linear network run (model.kind = dln, e.g. conf/paper-dln.conf)");
        }
        if (!data.fullBatch()) {
            return ClaimResult.notMeasured(this, statistic, "the run is not full-batch gradient descent (train.batch_size below dln.samples, "
                    + "or spark.workers > 1)");
        }
        if (!data.has(SnapshotTables.SHARPNESS)) {
            return ClaimResult.notMeasured(this, statistic, "no sharpness table (train with probe.sharpness.every > 0)");
        }
        CellSamples s = data.lateSharpnessTimesHalfRate();
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (CellSamples.Group g : s.groups()) {
            Estimate e = s.estimate(g.variant(), g.learningRate());
            values.add(new ClaimResult.Value(RATIO, g.variant(), g.learningRate(), e));
            parts.add(verdict(e));
            reasons.add(g.variant() + " " + Verdicts.rate(g.learningRate()) + ": " + e.format());
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, data.withSharpnessFilter("the sharpness table has no global k = 1 rows"));
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts),
                data.withSharpnessFilter(String.join("; ", reasons)));
    }

    /** Reproduced when mean ± 2 SE lies within 1 ± 10%, not reproduced when it lies entirely outside; n = 1 is inconclusive. */
    static Verdict verdict(Estimate e) {
        double se = e.standardError();
        if (e.n() < 2 || !Double.isFinite(se) || !Double.isFinite(e.mean())) {
            return Verdict.INCONCLUSIVE;
        }
        double margin = Difference.STANDARD_ERRORS * se;
        double distance = Math.abs(e.mean() - 1);
        if (distance + margin <= WITHIN) {
            return Verdict.REPRODUCED;
        }
        return distance - margin > WITHIN ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
    }
}
