package bnscope.analysis.claims;

import bnscope.core.tables.SnapshotTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Claim 8 (Section 4, Fact C.1, Theorems 4.1 and 4.2): the identities hold on live batches, and the
 * printed 1/√m form of Theorem 4.1 does not (theory_checks, written by {@code ./submit.sh theory}).
 */
final class TheoryIdentitiesHold implements Claim {
    /** Relative error at which an exact identity counts as holding: TheoryJob's default --tolerance. */
    static final double TOLERANCE = 1e-6;
    static final String EXACT = "fraction of fact_c1/thm41/thm42 checks missing the tolerance";
    static final String PRINTED = "fraction of thm41_printed checks where lhs ≤ rhs fails";

    @Override
    public int number() {
        return 8;
    }

    @Override
    public String claim() {
        return "The BatchNorm theory identities (Fact C.1, Theorems 4.1, 4.2) hold on live batches; the printed 1/√m form of "
                + "Theorem 4.1 does not";
    }

    @Override
    public String rule() {
        return String.format(Locale.ROOT, "per seed, every fact_c1, thm41 and thm42 check within %.0e relative error and the printed "
                + "bound failing on at least one unit; reproduced when that holds in every seed of every variant checked (two seeds "
                + "or more); not reproduced when an identity misses the tolerance or the printed bound holds everywhere in every "
                + "seed; otherwise, and with one seed, inconclusive", TOLERANCE);
    }

    @Override
    public ClaimResult evaluate(ClaimData data) {
        String statistic = "per seed: " + EXACT + "; " + PRINTED;
        if (!data.has(SnapshotTables.THEORY_CHECKS)) {
            return ClaimResult.notMeasured(this, statistic, "no theory_checks table (run `./submit.sh theory RUN_DIR`)");
        }
        Map<String, CellSamples> t = data.theory(TOLERANCE);
        CellSamples exact = t.get(EXACT);
        CellSamples printed = t.get(PRINTED);
        List<ClaimResult.Value> values = new ArrayList<>();
        List<Verdict> parts = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (CellSamples.Group g : exact.groups()) {
            values.add(new ClaimResult.Value(EXACT, g.variant(), g.learningRate(), exact.estimate(g.variant(), g.learningRate())));
            values.add(new ClaimResult.Value(PRINTED, g.variant(), g.learningRate(), printed.estimate(g.variant(), g.learningRate())));
            List<Double> misses = exact.values(g.variant(), g.learningRate());
            List<Double> printedFails = printed.values(g.variant(), g.learningRate());
            boolean identitiesHold = misses.stream().allMatch(m -> m == 0);
            boolean printedFailsEverySeed = printedFails.size() == misses.size() && printedFails.stream().allMatch(f -> f > 0);
            boolean printedHoldsEverywhere = printedFails.stream().allMatch(f -> f == 0);
            String where = g.variant() + " " + Verdicts.rate(g.learningRate());
            if (misses.size() < 2) {
                parts.add(Verdict.INCONCLUSIVE);
                reasons.add(where + ": n = 1 seed, inconclusive (identities " + (identitiesHold ? "held" : "MISSED the tolerance")
                        + ", printed bound " + (printedFailsEverySeed ? "failed" : "held") + " in it)");
            } else if (!identitiesHold || printedHoldsEverywhere) {
                parts.add(Verdict.NOT_REPRODUCED);
                reasons.add(where + (!identitiesHold ? ": an identity missed the tolerance" : ": the printed bound held on every unit"));
            } else {
                parts.add(printedFailsEverySeed ? Verdict.REPRODUCED : Verdict.INCONCLUSIVE);
                reasons.add(where + ": identities held in every seed; printed bound failed in "
                        + printedFails.stream().filter(f -> f > 0).count() + " of " + misses.size() + " seeds");
            }
        }
        if (parts.isEmpty()) {
            return ClaimResult.notMeasured(this, statistic, "theory_checks holds no rows");
        }
        return new ClaimResult(number(), claim(), statistic, values, rule(), Verdicts.all(parts), String.join("; ", reasons));
    }
}
