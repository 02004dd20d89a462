package bnscope.analysis.report;

import bnscope.analysis.RunDirectory;
import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The numbers the report should show, computed here in plain Java from a run's raw snapshot
 * tables (collected: test runs are small), not from the metric tables or SQL the report uses, so a
 * wrong query, a wrong column or a wrong cell shows up as a difference.
 */
final class RunTruth {
    private final List<Row> metrics;
    private final RunDirectory run;

    RunTruth(SparkSession spark, String dir) {
        run = RunDirectory.open(spark, dir);
        metrics = run.read(SnapshotTables.METRICS).collectAsList();
    }

    private List<Row> rows(bnscope.core.tables.TableSchema table, Predicate<Row> keep) {
        return run.read(table).collectAsList().stream().filter(keep).toList();
    }

    /** step -> mean over workers of a metrics column, for one variant and kind. */
    private TreeMap<Long, Double> perStep(String variant, String kind, String column) {
        return metrics.stream().filter(r -> r.getAs("variant").equals(variant) && r.getAs("kind").equals(kind))
                .collect(Collectors.groupingBy(r -> r.<Long>getAs("step"), TreeMap::new,
                        Collectors.averagingDouble(r -> r.<Double>getAs(column))));
    }

    /** The training accuracy at {@code step}, averaged over the last {@code window} recorded steps up to it. */
    double smoothedTrainAccuracy(String variant, long step, int window) {
        List<Double> upTo = new ArrayList<>(perStep(variant, "train", "accuracy").headMap(step, true).values());
        List<Double> last = upTo.subList(Math.max(0, upTo.size() - window), upTo.size());
        return last.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    long lastStep(String variant, String kind) {
        return perStep(variant, kind, "loss").lastKey();
    }

    double lastTestAccuracy(String variant) {
        return perStep(variant, "test", "accuracy").lastEntry().getValue();
    }

    TreeMap<Long, Double> trainLoss(String variant) {
        return perStep(variant, "train", "loss");
    }

    /** Median over steps of the mean over workers of ‖G − G'‖ (W parameters). */
    double medianGradientShift(String variant, int layer) {
        Map<Long, Double> byStep = rows(SnapshotTables.ICS, r -> r.getAs("variant").equals(variant) && r.<Integer>getAs("layer") == layer
                && r.getAs("param").equals("W")).stream()
                .collect(Collectors.groupingBy(r -> r.<Long>getAs("step"), Collectors.averagingDouble(r -> r.<Double>getAs("diff_norm"))));
        return Series.median(byStep.values().stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Median over probed steps (before {@code before}) of the mean over workers of max_η grad_diff_norm / step_norm. */
    double medianBeta(String variant, long before) {
        Map<Long, Map<Integer, Double>> perWorker = new TreeMap<>();
        for (Row r : rows(SnapshotTables.LANDSCAPE, r -> r.getAs("variant").equals(variant) && r.<Long>getAs("step") < before)) {
            double stepNorm = r.getAs("step_norm");
            if (stepNorm > 0) {
                perWorker.computeIfAbsent(r.getAs("step"), s -> new TreeMap<>())
                        .merge(r.getAs("worker"), r.<Double>getAs("grad_diff_norm") / stepNorm, Math::max);
            }
        }
        return Series.median(perWorker.values().stream().mapToDouble(w -> w.values().stream().mapToDouble(Double::doubleValue)
                .average().orElseThrow()).toArray());
    }

    /** Median over consecutive recorded steps of |Δ| of the all-units pooled mean of a layer's input. */
    double medianDeltaMean(String variant, int layer) {
        TreeMap<Long, double[]> sums = new TreeMap<>();
        for (Row r : rows(SnapshotTables.ACTIVATIONS, r -> r.getAs("variant").equals(variant) && r.<Integer>getAs("layer") == layer
                && r.getAs("point").equals("input") && r.<Integer>getAs("unit") == -1)) {
            double[] s = sums.computeIfAbsent(r.getAs("step"), k -> new double[2]);
            long n = r.getAs("count");
            s[0] += n * r.<Double>getAs("mean");
            s[1] += n;
        }
        List<Double> means = sums.values().stream().map(s -> s[0] / s[1]).toList();
        double[] deltas = new double[means.size() - 1];
        for (int i = 1; i < means.size(); i++) {
            deltas[i - 1] = Math.abs(means.get(i) - means.get(i - 1));
        }
        return Series.median(deltas);
    }

    /** {checks, checks with lhs > rhs beyond rounding} of one identity and variant. */
    long[] theoryChecks(String identity, String variant) {
        List<Row> rows = rows(SnapshotTables.THEORY_CHECKS, r -> r.getAs("identity").equals(identity) && r.getAs("variant").equals(variant));
        long violated = rows.stream().filter(r -> r.<Double>getAs("lhs") > r.<Double>getAs("rhs") * (1 + 1e-9)).count();
        return new long[]{rows.size(), violated};
    }
}
