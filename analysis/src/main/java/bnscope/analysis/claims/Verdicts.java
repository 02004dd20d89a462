package bnscope.analysis.claims;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** The shared ways a claim turns {@link Difference}s into a {@link Verdict}. */
final class Verdicts {
    /** The learning rates are equal when within this relative distance (config values and table values are the same doubles). */
    private static final double SAME_RATE = 1e-9;

    private Verdicts() {
    }

    /** Claim "a is higher than b": reproduced above 2 SE, not reproduced below −2 SE, else inconclusive. */
    static Verdict higher(Difference d) {
        return d.above() ? Verdict.REPRODUCED : d.below() ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
    }

    /** Claim "a is not higher than b": not reproduced above 2 SE; reproduced otherwise (when decidable). */
    static Verdict notHigher(Difference d) {
        return !d.decidable() ? Verdict.INCONCLUSIVE : d.above() ? Verdict.NOT_REPRODUCED : Verdict.REPRODUCED;
    }

    /** All parts must hold: any part not reproduced decides; all reproduced is reproduced; otherwise inconclusive. */
    static Verdict all(Collection<Verdict> parts) {
        if (parts.isEmpty()) {
            return Verdict.NOT_MEASURED;
        }
        if (parts.contains(Verdict.NOT_REPRODUCED)) {
            return Verdict.NOT_REPRODUCED;
        }
        return parts.stream().allMatch(v -> v == Verdict.REPRODUCED) ? Verdict.REPRODUCED : Verdict.INCONCLUSIVE;
    }

    /** The rate among {@code rates} equal to {@code wanted}, or null. */
    static Double find(List<Double> rates, double wanted) {
        return rates.stream().filter(Objects::nonNull).filter(r -> Math.abs(r - wanted) <= SAME_RATE * Math.abs(wanted)).findFirst().orElse(null);
    }

    /** "lr 0.1" (or "lr ?" when the run does not record it). */
    static String rate(Double lr) {
        return "lr " + (lr == null ? "?" : Estimate.number(lr));
    }
}
