package bnscope.jobs;

import bnscope.core.theory.TheoryIdentity;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the theory job prints and returns: per grid cell and identity the count, median and maximum
 * relative error, and the exit status (1 when a claimed identity misses the tolerance somewhere).
 */
final class TheorySummary {
    private TheorySummary() {
    }

    /** 0 when every claimed identity holds on every row; else prints which failed and returns 1. */
    static int status(List<TheoryJob.Row> rows, double tolerance, PrintStream out) {
        Map<TheoryIdentity, Long> failing = new EnumMap<>(TheoryIdentity.class);
        rows.stream().filter(r -> TheoryJob.CLAIMED.contains(r.identity()) && !r.holds()).forEach(r -> failing.merge(r.identity(), 1L, Long::sum));
        if (failing.isEmpty()) {
            return 0;
        }
        StringBuilder sb = new StringBuilder("theory: FAIL: relative error above the tolerance " + tolerance + " on");
        failing.forEach((identity, n) -> sb.append(' ').append(n).append(' ').append(identity.tableName()).append(" rows,"));
        sb.setLength(sb.length() - 1);
        out.println(sb.append(" (see the theory_checks table: rel_error > ").append(tolerance).append(")."));
        return 1;
    }

    /** The summary printed at the end: per grid cell and identity, count, median and max relative error. */
    static String summary(List<TheoryJob.Row> rows, double tolerance) {
        StringBuilder sb = new StringBuilder("\ntheory: relative errors |lhs - rhs| / max(|lhs|, |rhs|, largest term)\n");
        sb.append(String.format("  %-28s %-14s %6s %11s %11s  %s%n", "cell", "identity", "count", "median", "max", "note"));
        List<String> cells = rows.stream().map(TheoryJob.Row::cell).distinct().toList();
        List<String> groups = new ArrayList<>(cells);
        if (cells.size() > 1) {
            groups.add("all");
        }
        for (String v : groups) {
            Map<TheoryIdentity, List<TheoryJob.Row>> by = new EnumMap<>(TheoryIdentity.class);
            rows.stream().filter(r -> v.equals("all") || r.cell().equals(v))
                    .forEach(r -> by.computeIfAbsent(r.identity(), k -> new ArrayList<>()).add(r));
            for (Map.Entry<TheoryIdentity, List<TheoryJob.Row>> e : by.entrySet()) {
                double[] errors = e.getValue().stream().mapToDouble(TheoryJob.Row::relError).sorted().toArray();
                long failing = e.getValue().stream().filter(r -> !r.holds()).count();
                String note = e.getKey() == TheoryIdentity.THM41_PRINTED
                        ? String.format("printed 1/sqrt(m) bound fails on %d of %d units (%.1f%%)", failing, errors.length,
                        100.0 * failing / errors.length)
                        : (failing == 0 ? "all <= " + tolerance : failing + " above " + tolerance);
                sb.append(String.format("  %-28s %-14s %6d %11.2e %11.2e  %s%n", v, e.getKey().tableName(), errors.length,
                        median(errors), errors[errors.length - 1], note));
            }
        }
        return sb.toString();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
