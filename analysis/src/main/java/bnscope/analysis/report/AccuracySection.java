package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.analysis.claims.Estimate;
import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.*;

/**
 * This run's training accuracy at the paper's read-off steps and its final training and test
 * accuracy per variant, beside the paper's read-offs of Fig. 1 and 2 (the numbers behind those
 * figures).
 */
public final class AccuracySection extends HeadedSection {
    public AccuracySection() {
        super("Accuracy: this run against the paper",
                "accuracy",
                List.of(RunInfo.LEARNING_RATE, "train.steps", "train.batch_size", "model.kind", "model.preset", "spark.workers",
                "spark.averaging_frequency", "run.seed"));
    }

    /**
     * One variant's accuracy summary.
     *
     * @param lastTrainStep the last training step (null: no training rows)
     * @param finalTrain    the smoothed training accuracy at that step
     * @param trainAt       read-off step t -> the smoothed training accuracy of the last step before t
     */
    record VariantAccuracy(String variant, Double learningRate, Long seed, Long lastTrainStep, Double finalTrain, Long lastTestStep,
                           Double finalTest, Map<Integer, Double> trainAt) {
        static VariantAccuracy of(Row r) {
            Map<Integer, Double> at = new LinkedHashMap<>();
            PaperReference.READ_OFF_STEPS.forEach(t -> at.put(t, r.getAs("at_" + t)));
            return new VariantAccuracy(r.getAs("variant"), r.getAs(CellColumns.LEARNING_RATE), r.getAs(CellColumns.SEED),
                    r.getAs("last_train_step"), r.getAs("final_train"), r.getAs("last_test_step"), r.getAs("final_test"), at);
        }
    }

    static List<VariantAccuracy> query(Dataset<Row> curves) {
        Column train = col("kind").equalTo("train");
        Column test = col("kind").equalTo("test");
        List<Column> aggs = new ArrayList<>();
        aggs.add(max(when(train, col("step"))).as("last_train_step"));
        aggs.add(max_by(when(train, col("accuracy_smoothed")), when(train, col("step"))).as("final_train"));
        aggs.add(max(when(test, col("step"))).as("last_test_step"));
        aggs.add(max_by(when(test, col("accuracy")), when(test, col("step"))).as("final_test"));
        for (int t : PaperReference.READ_OFF_STEPS) {
            // accuracy after t steps: the smoothed minibatch accuracy of the last step before t
            Column before = train.and(col("step").lt(t));
            aggs.add(max_by(when(before, col("accuracy_smoothed")), when(before, col("step"))).as("at_" + t));
        }
        return curves.groupBy("variant", CellColumns.LEARNING_RATE, CellColumns.SEED).agg(aggs.get(0), aggs.subList(1, aggs.size())
                        .toArray(new Column[0])).orderBy("variant", CellColumns.LEARNING_RATE, CellColumns.SEED)
                .collectAsList().stream().map(VariantAccuracy::of).toList();
    }

    /** The mean over the seeds as a percentage, "± sd" in points when there are several; "—" when a seed lacks the value. */
    static String overSeeds(List<Double> perSeed) {
        if (perSeed.isEmpty() || perSeed.stream().anyMatch(java.util.Objects::isNull)) {
            return Cells.NONE;
        }
        Estimate e = Estimate.of(perSeed);
        return e.n() < 2 ? Cells.pct(e.mean()) : Cells.pct(e.mean()) + " ± " + String.format(java.util.Locale.ROOT, "%.1f", 100 * e.sd());
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        if (!ctx.has(MetricTables.CURVES)) {
            out.absent("No curves table: run `analyze` on a run that recorded the metrics table.");
            return;
        }
        List<VariantAccuracy> rows = query(ctx.read(MetricTables.CURVES));
        if (!ctx.accuracyDefined()) {
            out.absent("Accuracy is not defined for this network (a regression, e.g. the deep linear network); the curve figures show loss.");
        }
        out.row();
        List<String> header = new ArrayList<>(List.of("variant", "lr", "seeds"));
        PaperReference.READ_OFF_STEPS.forEach(t -> header.add("train @" + t));
        header.addAll(List.of("final train (step)", "final test (step)", "paper test"));
        List<List<String>> table = new ArrayList<>();
        // one row per (variant, learning rate): the mean over its seeds (± their sample sd when there are several)
        Series.byKey(rows, r -> r.variant() + "\u0000" + r.learningRate()).forEach((key, seeds) -> {
            VariantAccuracy first = seeds.get(0);
            List<String> cells = new ArrayList<>(List.of(first.variant(), first.learningRate() == null ? "?"
                    : Cells.num(first.learningRate()), Integer.toString(seeds.size())));
            long last = seeds.stream().mapToLong(r -> r.lastTrainStep() == null ? -1 : r.lastTrainStep()).min().orElse(-1);
            for (int t : PaperReference.READ_OFF_STEPS) {
                cells.add(last + 1 >= t ? overSeeds(seeds.stream().map(r -> r.trainAt().get(t)).toList()) : "not reached");
            }
            cells.add(overSeeds(seeds.stream().map(VariantAccuracy::finalTrain).toList()) + " (" + last + ")");
            Long lastTest = seeds.stream().map(VariantAccuracy::lastTestStep).filter(java.util.Objects::nonNull).min(Long::compare).orElse(null);
            cells.add(lastTest == null ? Cells.NONE : overSeeds(seeds.stream().map(VariantAccuracy::finalTest).toList()) + " (" + lastTest + ")");
            cells.add(Cells.pct(PaperReference.TEST_ACCURACY.get(first.variant())));
            table.add(cells);
        });
        out.subheading("This run (training accuracy smoothed over " + ctx.options().smoothingWindow() + " steps; mean over the "
                + "seeds of each variant and learning rate, ± their sample standard deviation)");
        out.table(header, table);
        out.side();
        out.subheading("Paper (VGG, CIFAR-10; read off the figures)");
        double lr = ctx.run().learningRate();
        List<List<String>> paperRows = new ArrayList<>();
        for (PaperReference.ReadOffs ro : PaperReference.TRAIN_ACCURACY) {
            ro.accuracy().forEach((variant, at) -> paperRows.add(List.of(ro.figure() + ", lr " + ro.learningRate()
                            + (ro.learningRate() == lr ? " (this run's lr)" : ""), variant,
                    at.entrySet().stream().map(e -> e.getKey() + ": " + Cells.pct(e.getValue())).collect(Collectors.joining(", ")))));
        }
        out.table(List.of("figure", "variant", "train accuracy at step"), paperRows);
        out.paragraph("Paper " + PaperReference.testAccuracySummary() + "; " + PaperReference.TRAIN_ACCURACY.stream()
                .map(PaperReference.ReadOffs::note).filter(n -> !n.isEmpty()).collect(Collectors.joining("; ")) + ".");
        out.settings(settings());
        out.endRow();
    }
}
