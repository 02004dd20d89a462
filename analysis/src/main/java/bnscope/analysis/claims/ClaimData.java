package bnscope.analysis.claims;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.CellColumns;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.report.PaperReference;
import bnscope.core.run.Manifest;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.*;

/**
 * The per-seed statistics the claims compare, each one small aggregate query over a run's metric
 * tables (and theory_checks) grouped by grid cell (variant, learning_rate, seed). Only the
 * aggregated rows, one per cell, come to the driver.
 */
public final class ClaimData {
    private final RunDirectory run;
    private final AnalyzeOptions options;
    /** True on the rows of an unfinished cell ({@link RunDirectory#unfinishedCells}); null when every cell finished. */
    private final Column ofUnfinished;
    private Boolean accuracyDefined;

    public ClaimData(RunDirectory run, AnalyzeOptions options) {
        this.run = run;
        this.options = options;
        this.ofUnfinished = run.unfinishedCells().values().stream().map(ClaimData::rowsOf).reduce(Column::or).orElse(null);
    }

    /** The unfinished cells left out ({@link RunDirectory#unfinishedCellNames}), in training order. */
    public List<String> leftOutCells() {
        return run.unfinishedCellNames();
    }

    /** A table of the run without the rows of unfinished cells. */
    private Dataset<Row> read(TableSchema table) {
        Dataset<Row> rows = run.read(table);
        return ofUnfinished == null ? rows : rows.where(not(coalesce(ofUnfinished, lit(false))));
    }

    /** The rows of cell {@code c} (its variant, learning rate and seed; a missing key matches null). */
    private static Column rowsOf(Manifest.Cell c) {
        return col("variant").equalTo(c.variant)
                .and(c.learningRate == null ? col(CellColumns.LEARNING_RATE).isNull() : col(CellColumns.LEARNING_RATE).equalTo(c.learningRate))
                .and(c.seed == null ? col(CellColumns.SEED).isNull() : col(CellColumns.SEED).equalTo(c.seed));
    }

    public boolean has(TableSchema table) {
        return run.has(table);
    }

    public AnalyzeOptions options() {
        return options;
    }

    private Column[] cell() {
        return new Column[]{col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED)};
    }

    private Dataset<Row> train() {
        return read(MetricTables.CURVES).where(col("kind").equalTo("train"));
    }

    /** False for a regression (the deep linear network, NaN accuracy) or a run without curves. */
    public boolean accuracyDefined() {
        if (accuracyDefined == null) {
            accuracyDefined = has(MetricTables.CURVES)
                    && !train().agg(max(when(not(isnan(col("accuracy"))), lit(1)))).first().isNullAt(0);
        }
        return accuracyDefined;
    }

    /** Per cell: the number of training steps recorded (last train step + 1); also which cells the run has. */
    public CellSamples trainingLength() {
        return CellSamples.of(train().groupBy(cell()).agg(max("step").plus(1).as("value")).collectAsList(), "value");
    }

    /**
     * The step at which training accuracy is read: the largest of the paper's read-off steps
     * (500/1000/2000/5000) every one of {@code variants} reaches at {@code learningRate}, else half the
     * shortest of their runs (a short run has no read-off step; its middle still separates slow from fast).
     */
    public long readOffStep(List<String> variants, Double learningRate) {
        Column sameLr = learningRate == null ? col(CellColumns.LEARNING_RATE).isNull() : col(CellColumns.LEARNING_RATE).equalTo(learningRate);
        Row r = train().where(col("variant").isin(variants.toArray()).and(sameLr)).groupBy(cell()).agg(max("step").plus(1).as("n"))
                .agg(min("n")).first();
        double shortest = r.isNullAt(0) ? 0 : ((Number) r.get(0)).doubleValue();
        long reached = 0;
        for (int t : PaperReference.READ_OFF_STEPS) {
            if (t <= shortest) {
                reached = t;
            }
        }
        return reached > 0 ? reached : Math.max(1, (long) shortest / 2);
    }

    /** Per cell: the smoothed training accuracy after {@code step} steps (the last recorded step before it). */
    public CellSamples trainAccuracyAt(long step) {
        Column before = col("step").lt(step);
        return CellSamples.of(train().groupBy(cell()).agg(max_by(when(before, col("accuracy_smoothed")), when(before, col("step"))).as("value"))
                .collectAsList(), "value");
    }

    /** Per cell: the smoothed training loss at the last recorded step. */
    public CellSamples finalTrainLoss() {
        return CellSamples.of(train().groupBy(cell()).agg(max_by(col("loss_smoothed"), col("step")).as("value")).collectAsList(), "value");
    }

    /**
     * Per cell: the median over recorded steps of |Δ mean| of the layer inputs (moments.delta_mean,
     * point input), averaged over the recorded layers and units at each step.
     */
    public CellSamples inputMeanChange() {
        Dataset<Row> m = read(MetricTables.MOMENTS).where(col("point").equalTo("input").and(col("delta_mean").isNotNull()));
        Dataset<Row> perStep = m.groupBy(col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("step"))
                .agg(avg("delta_mean").as("dm"));
        return CellSamples.of(perStep.groupBy(cell()).agg(expr("percentile(dm, 0.5)").as("value")).collectAsList(), "value");
    }

    /** The W layers ics_metrics holds, ascending. */
    public List<Integer> icsLayers() {
        return read(MetricTables.ICS_METRICS).where(col("param").equalTo("W")).select("layer").distinct().orderBy("layer")
                .collectAsList().stream().map(r -> r.<Integer>getAs("layer")).toList();
    }

    /**
     * Per layer and training window, per cell: the median over probed steps of cos(G, G') and of
     * ‖G − G'‖ (W parameters). Early = steps before the middle of the probed steps' span, late = from it on.
     * Keys: "cos(G,G') layer #L early" and so on, in layer, window, measure order.
     */
    public Map<String, CellSamples> gradientShift(List<Integer> layers) {
        Dataset<Row> ics = read(MetricTables.ICS_METRICS).where(col("param").equalTo("W").and(col("layer").isin(layers.toArray())));
        Row span = ics.agg(max("step")).first();
        long middle = span.isNullAt(0) ? 0 : (span.getLong(0) + 1) / 2;
        List<Row> rows = ics.withColumn("window", when(col("step").lt(middle), lit("early")).otherwise(lit("late")))
                .groupBy(col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("layer"), col("window"))
                .agg(expr("percentile(cosine_mean, 0.5)").as("cos"), expr("percentile(diff_norm_mean, 0.5)").as("diff"))
                .collectAsList();
        Map<String, CellSamples> out = new LinkedHashMap<>();
        for (int layer : layers) {
            for (String window : List.of("early", "late")) {
                List<Row> these = rows.stream().filter(r -> r.<Integer>getAs("layer") == layer && window.equals(r.getAs("window"))).toList();
                if (!these.isEmpty()) {
                    String where = "layer #" + layer + " " + window + " (steps " + (window.equals("early") ? "< " : "≥ ") + middle + ")";
                    out.put(BatchNormDoesNotReduceIcs.COSINE + " " + where, CellSamples.of(these, "cos"));
                    out.put(BatchNormDoesNotReduceIcs.DIFFERENCE + " " + where, CellSamples.of(these, "diff"));
                }
            }
        }
        return out;
    }

    /** The landscape statistics of claim 6, per cell, over the probed steps before the paper's early window ends. */
    public Map<String, CellSamples> landscape() {
        Dataset<Row> land = read(MetricTables.LANDSCAPE_METRICS).where(col("step").lt(PaperReference.LANDSCAPE_WINDOW_STEPS));
        List<Row> rows = land.groupBy(cell()).agg(
                expr("percentile(loss_max - loss_min, 0.5)").as("loss"),
                expr("percentile(grad_diff_max - grad_diff_min, 0.5)").as("grad"),
                expr("percentile(beta_smoothness, 0.5)").as("beta")).collectAsList();
        Map<String, CellSamples> out = new LinkedHashMap<>();
        out.put(BatchNormSmoothsLandscape.LOSS_BAND, CellSamples.of(rows, "loss"));
        out.put(BatchNormSmoothsLandscape.GRADIENT_BAND, CellSamples.of(rows, "grad"));
        out.put(BatchNormSmoothsLandscape.BETA, CellSamples.of(rows, "beta"));
        return out;
    }

    /**
     * Per cell from theory_checks: the fraction of checks of the exact identities (fact_c1, thm41,
     * thm42) whose relative error exceeds {@code tolerance}, and the fraction of thm41_printed checks
     * where the printed bound lhs ≤ rhs fails beyond it.
     */
    public Map<String, CellSamples> theory(double tolerance) {
        Column exact = col("identity").isin("fact_c1", "thm41", "thm42");
        Column printed = col("identity").equalTo("thm41_printed");
        Column missed = col("rel_error").gt(tolerance).or(isnan(col("rel_error")));
        List<Row> rows = read(SnapshotTables.THEORY_CHECKS).groupBy(cell()).agg(
                avg(when(exact, when(missed, lit(1.0)).otherwise(lit(0.0)))).as("exact"),
                avg(when(printed, when(col("lhs").gt(col("rhs")).and(missed), lit(1.0)).otherwise(lit(0.0)))).as("printed"))
                .collectAsList();
        Map<String, CellSamples> out = new LinkedHashMap<>();
        out.put(TheoryIdentitiesHold.EXACT, CellSamples.of(rows, "exact"));
        out.put(TheoryIdentitiesHold.PRINTED, CellSamples.of(rows, "printed"));
        return out;
    }

    /** A config value the run's manifest records, as text ("" when absent). */
    public String recorded(String dottedKey) {
        return run.recorded(dottedKey).asText("");
    }

    /** True when every step used the whole dataset on one worker: the deep linear network at batch_size ≥ dln.samples. */
    public boolean fullBatch() {
        return run.recorded("train.batch_size").asInt(0) >= run.recorded("dln.samples").asInt(Integer.MAX_VALUE)
                && run.recorded("spark.workers").asInt(1) == 1;
    }

    /**
     * {@code reason} followed by how the sharpness claims' inputs were filtered
     * ({@link ReliableEigenvalues}), e.g. "(2 of 12 λ_max rows left out: measured residual above 0.05 ...)",
     * or {@code reason} alone when no row was.
     */
    public String withSharpnessFilter(String reason) {
        ReliableEigenvalues.LeftOut out = ReliableEigenvalues.leftOut(read(SnapshotTables.SHARPNESS));
        return !out.any() ? reason : reason + " (" + out.rows() + " of " + out.all() + " λ_max rows left out: measured residual above "
                + ReliableEigenvalues.RESIDUAL_LIMIT + ": such an eigenvalue is not reliable; docs/sharpness.md)";
    }

    /** λ_max per step and cell: the reliable global k = 1 eigenvalues ({@link ReliableEigenvalues}), averaged over the workers. */
    private Dataset<Row> lambdaMaxPerStep() {
        return ReliableEigenvalues.reliable(read(SnapshotTables.SHARPNESS))
                .groupBy(col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("step"))
                .agg(avg("eigenvalue").as("lambda_max"));
    }

    /** Per cell: the median over the probed steps of λ_max (claim 9). */
    public CellSamples medianSharpness() {
        return CellSamples.of(lambdaMaxPerStep().groupBy(cell()).agg(expr("percentile(lambda_max, 0.5)").as("value")).collectAsList(), "value");
    }

    /**
     * Per cell: the median of λ_max·η/2 over the second half of the cell's probed steps (claim 10:
     * the edge of stability is where training settles, not where it starts).
     */
    public CellSamples lateSharpnessTimesHalfRate() {
        Dataset<Row> late = lambdaMaxPerStep().withColumn("last", max("step").over(Window.partitionBy(cell())))
                .where(col("step").geq(col("last").divide(2)));
        return CellSamples.of(late.groupBy(cell()).agg(expr("percentile(lambda_max * learning_rate / 2, 0.5)").as("value")).collectAsList(),
                "value");
    }
}
