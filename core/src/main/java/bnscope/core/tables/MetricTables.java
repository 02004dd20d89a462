package bnscope.core.tables;

import java.util.List;

import static bnscope.core.tables.ColumnType.*;

/**
 * The tables the analysis jobs derive from the snapshot tables (docs/tables.md is generated from
 * here). They are small, so {@code variant} is an ordinary column rather than a directory level.
 * Spread columns aggregate over the workers of a parameter-averaging run; every table is keyed by
 * the grid cell ({@link #CELL_KEY}) first, so a grid's cells are rows of the same table.
 */
public final class MetricTables {
    private MetricTables() {
    }

    /** The grid-cell key columns every metric table carries beside {@code variant} (issue 11: a cell = variant, lr, seed). */
    public static final String CELL_LEARNING_RATE = SnapshotTables.LEARNING_RATE;
    public static final String CELL_SEED = SnapshotTables.SEED;
    /** variant, learning_rate, seed: what identifies one grid cell; every metric table's key starts with them. */
    public static final List<String> CELL_KEY = List.of("variant", CELL_LEARNING_RATE, CELL_SEED);

    private static Column variant() {
        return Column.of("variant", STRING, "", "Network variant (standard, batchnorm, noisy-batchnorm, l1, l2, linf).");
    }

    private static Column learningRate() {
        return Column.nullable(CELL_LEARNING_RATE, DOUBLE, "", "SGD learning rate of the grid cell (train.learning_rates; a run without a grid: "
                + "its manifest's train.learning_rate; null only for a hand-made run whose manifest records none).");
    }

    private static Column seed() {
        return Column.nullable(CELL_SEED, LONG, "", "Seed of the grid cell (train.seeds; a run without a grid: its manifest's run.seed; "
                + "null only for a hand-made run whose manifest records none).");
    }

    private static Column step() {
        return Column.of("step", LONG, "steps", "Global SGD step (see the snapshot tables).");
    }

    private static Column workers() {
        return Column.of("workers", INT, "", "Number of worker rows merged into this row.");
    }

    public static final TableSchema ICS_METRICS = TableSchema.builder("ics_metrics",
                    "Gradient change per layer and step (the paper's Fig. 3 and 6): ‖G−G'‖ and cos(G,G') aggregated over workers; when G/G' vectors were stored, recomputed in SQL from the chunks and checked against the executors' scalars.")
            .key("variant", CELL_LEARNING_RATE, CELL_SEED, "layer", "param", "step")
            .column(variant())
            .column(learningRate())
            .column(seed())
            .column("layer", INT, "", "Weight layer number (1-based, as in the paper's figures).")
            .column("layer_name", STRING, "", "Layer name.")
            .column("param", STRING, "", "W, gamma or beta.")
            .column(step())
            .column(workers())
            .column("diff_norm_mean", DOUBLE, "l2 norm", "Mean over workers of ‖G − G'‖₂.")
            .column("diff_norm_std", DOUBLE, "l2 norm", "Population standard deviation over workers of ‖G − G'‖₂ (0 for one worker).")
            .column("diff_norm_min", DOUBLE, "l2 norm", "Smallest worker value of ‖G − G'‖₂.")
            .column("diff_norm_max", DOUBLE, "l2 norm", "Largest worker value of ‖G − G'‖₂.")
            .column("cosine_mean", DOUBLE, "-1..1", "Mean over workers of cos(G, G').")
            .column("cosine_std", DOUBLE, "", "Population standard deviation over workers of cos(G, G').")
            .column("cosine_min", DOUBLE, "-1..1", "Smallest worker cosine.")
            .column("cosine_max", DOUBLE, "-1..1", "Largest worker cosine.")
            .column("g_norm_mean", DOUBLE, "l2 norm", "Mean over workers of ‖G‖₂.")
            .column(Column.nullable("vector_diff_norm_mean", DOUBLE, "l2 norm", "Mean over workers of ‖G − G'‖₂ recomputed by Spark from ics_vectors; null when vectors were not stored for every worker of the row."))
            .column(Column.nullable("vector_cosine_mean", DOUBLE, "-1..1", "Mean over workers of cos(G, G') recomputed from ics_vectors; null when vectors were not stored for every worker of the row."))
            .column(Column.nullable("vector_check_rel_diff", DOUBLE, "", "Largest relative difference |a−b| / max(|a|, |b|, s) between the recomputed (from ics_vectors, by Spark) ‖G−G'‖, ‖G‖, ‖G'‖ (s = 0), ⟨G,G'⟩ (s = ‖G‖‖G'‖) and cosine (s = 1) and the executors' scalars, over the merged workers with vectors; null when no vectors were stored. Expected ≤ 1e-4."))
            .build();

    public static final TableSchema MOMENTS = TableSchema.builder("moments",
                    "Layer-input distribution moments per step (the paper's Fig. 1, 2 and 8), merged exactly across workers from counts and central moments; percentiles from the pooled random samples.")
            .key("variant", CELL_LEARNING_RATE, CELL_SEED, "layer", "point", "unit", "step")
            .column(variant())
            .column(learningRate())
            .column(seed())
            .column("layer", INT, "", "Weight layer number.")
            .column("layer_name", STRING, "", "Layer name.")
            .column("point", STRING, "input | norm_output", "Where the activations were taken.")
            .column("unit", INT, "", "Channel/unit, or -1 for all units pooled.")
            .column(step())
            .column(workers())
            .column("count", LONG, "values", "Values merged.")
            .column("mean", DOUBLE, "activation units", "Merged mean.")
            .column("variance", DOUBLE, "", "Merged population variance.")
            .column("skewness", DOUBLE, "", "m3 / m2^1.5 of the merged distribution; NaN when the variance is 0.")
            .column("kurtosis", DOUBLE, "", "Excess kurtosis m4 / m2² − 3 of the merged distribution; NaN when the variance is 0.")
            .column(Column.nullable("p05", DOUBLE, "activation units", "5th percentile of the pooled samples (exact, linear interpolation between order statistics); null when no samples."))
            .column(Column.nullable("p50", DOUBLE, "activation units", "Median of the pooled samples."))
            .column(Column.nullable("p95", DOUBLE, "activation units", "95th percentile of the pooled samples."))
            .column(Column.nullable("delta_mean", DOUBLE, "activation units", "|mean − mean at the previous recorded step| (the paper's Fig. 8); null at the first recorded step."))
            .column(Column.nullable("delta_variance", DOUBLE, "", "|variance − variance at the previous recorded step|; null at the first recorded step."))
            .build();

    public static final TableSchema LANDSCAPE_METRICS = TableSchema.builder("landscape_metrics",
                    "Loss landscape per step (the paper's Fig. 4): loss band and gradient-predictiveness band over the η grid, and effective β-smoothness.")
            .key("variant", CELL_LEARNING_RATE, CELL_SEED, "step")
            .column(variant())
            .column(learningRate())
            .column(seed())
            .column(step())
            .column(workers())
            .column("points", INT, "", "η grid points per worker (the smallest count, should workers differ).")
            .column("loss_min", DOUBLE, "mean loss", "min over η (and workers) of L(w − η g).")
            .column("loss_max", DOUBLE, "mean loss", "max over η (and workers) of L(w − η g).")
            .column("grad_diff_min", DOUBLE, "l2 norm", "min over η of ‖∇L(w − η g) − g‖₂.")
            .column("grad_diff_max", DOUBLE, "l2 norm", "max over η of ‖∇L(w − η g) − g‖₂.")
            .column("beta_smoothness", DOUBLE, "1 / learning-rate units", "Effective β-smoothness: max over η of ‖∇L(w − η g) − g‖₂ / ‖η g‖₂ (η with ‖η g‖ = 0 skipped), averaged over workers.")
            .column("beta_smoothness_max", DOUBLE, "", "The same, largest over workers.")
            .build();

    public static final TableSchema CURVES = TableSchema.builder("curves",
                    "Training and test curves (the paper's Fig. 1 and 2): loss and accuracy per step, raw and smoothed.")
            .key("variant", CELL_LEARNING_RATE, CELL_SEED, "kind", "step")
            .column(variant())
            .column(learningRate())
            .column(seed())
            .column("kind", STRING, "train | test", "train: mean over workers of the minibatch values; test: the full test set.")
            .column(step())
            .column("examples", LONG, "examples", "Examples behind the raw value (summed over workers).")
            .column("loss", DOUBLE, "mean loss", "Raw loss.")
            .column("accuracy", DOUBLE, "fraction 0..1", "Raw accuracy.")
            .column("loss_smoothed", DOUBLE, "mean loss", "Trailing moving average of loss over analysis.smoothing_window rows of the same kind (train only; equals loss for test).")
            .column("accuracy_smoothed", DOUBLE, "fraction 0..1", "Trailing moving average of accuracy.")
            .build();

    /** All metric tables, in documentation order. */
    public static List<TableSchema> all() {
        return List.of(ICS_METRICS, MOMENTS, LANDSCAPE_METRICS, CURVES);
    }
}
