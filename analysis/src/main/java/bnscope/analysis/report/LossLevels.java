package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.*;

/**
 * Deep linear network only: each variant's final training loss against the reduced-rank levels
 * L_k of the run's data (manifest data.reduced_rank_losses), and the first step within 1% of the
 * level it reached. The loss of a deep linear net descends through these levels, one direction of
 * A at a time; which level a variant reaches, and when, is the comparison.
 */
final class LossLevels {
    /** A loss within this factor of a reduced-rank level L_k counts as having reached it. */
    static final double LEVEL_TOLERANCE = 1.01;

    private LossLevels() {
    }

    /** A variant's last training step and its loss there. */
    record FinalLoss(String variant, long lastStep, double loss) {
        static FinalLoss of(Row r) {
            return new FinalLoss(r.getAs("variant"), r.<Long>getAs("last_step"), r.<Double>getAs("final_loss"));
        }
    }

    /** The loss at or below which level {@code l} counts as reached (1% above it; a hair above 0 for L_d = 0). */
    static double threshold(double l) {
        return LEVEL_TOLERANCE * l + 1e-9;
    }

    /** The lowest level index whose threshold {@code loss} is within, -1 when above L_0. */
    static int lowestReached(double loss, List<Double> levels) {
        int k = -1;
        for (int i = 0; i < levels.size(); i++) {
            if (loss <= threshold(levels.get(i))) {
                k = i;
            }
        }
        return k;
    }

    static void render(ReportContext ctx, SectionBuilder out, List<String> variants) {
        List<Double> l = ctx.run().reducedRankLosses();
        if (l.isEmpty() || variants.isEmpty()) {
            return;
        }
        Dataset<Row> train = ctx.read(MetricTables.CURVES).where(col("kind").equalTo("train").and(col("variant").isin(variants.toArray())));
        Map<String, FinalLoss> last = new LinkedHashMap<>();
        train.groupBy("variant").agg(max("step").as("last_step"), expr("max_by(loss, step)").as("final_loss")).collectAsList()
                .stream().map(FinalLoss::of).forEach(f -> last.put(f.variant(), f));
        Map<String, Integer> reached = new LinkedHashMap<>();
        Column threshold = null;
        for (String v : variants) {
            FinalLoss f = last.get(v);
            if (f == null) {
                continue;
            }
            int k = lowestReached(f.loss(), l);
            reached.put(v, k);
            if (k >= 0) {
                Column isVariant = col("variant").equalTo(v);
                threshold = threshold == null ? when(isVariant, threshold(l.get(k))) : threshold.when(isVariant, threshold(l.get(k)));
            }
        }
        Map<String, Long> first = new LinkedHashMap<>();
        if (threshold != null) {
            for (Row r : train.groupBy("variant").agg(min(when(col("loss").leq(threshold), col("step"))).as("first")).collectAsList()) {
                first.put(r.getAs("variant"), r.getAs("first"));
            }
        }
        List<List<String>> table = new ArrayList<>();
        reached.forEach((v, k) -> {
            Long f = first.get(v);
            table.add(List.of(v, Long.toString(last.get(v).lastStep()), Cells.num(last.get(v).loss()),
                    k < 0 ? "above L_0" : "k = " + k + " (L = " + Cells.num(l.get(k)) + ")",
                    k < 0 || f == null ? Cells.NONE : Long.toString(f)));
        });
        out.subheading("Deep linear network: loss levels");
        out.paragraph("L_k is the smallest mean training loss any linear map of rank ≤ k reaches on this run's data "
                + "(the d − k smallest eigenvalues of A C Aᵀ, C the sample covariance; data.reduced_rank_losses in manifest.json): "
                + IntStream.range(0, l.size()).mapToObj(k -> "L_" + k + " = " + Cells.num(l.get(k))).collect(Collectors.joining(", "))
                + ". A deep linear net's loss descends through these levels one direction of A at a time and can sit on one for "
                + "thousands of steps (a saddle: the initial product W_25…W_1 all but annihilates the next direction). So a plateau "
                + "at L_k is the optimizer's, not a bug; which level a variant reaches, and how soon, is what the variants differ in.");
        out.table(List.of("variant", "last step", "final training loss", "lowest level reached (within 1%)", "first step there"), table);
    }
}
