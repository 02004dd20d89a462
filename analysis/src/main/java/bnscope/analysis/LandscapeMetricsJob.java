package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.*;

/**
 * landscape_metrics: the paper's loss-landscape measures along the gradient (Section 3.1, Fig. 4).
 * Per cell and step, the loss band and the gradient-predictiveness band span all η and all workers; the
 * effective β-smoothness is first taken per worker (max over η of ‖∇L(w−ηg) − g‖ / ‖ηg‖, skipping
 * a zero step norm) and then averaged over the workers ({@code beta_smoothness}) and maximized
 * ({@code beta_smoothness_max}). {@code points} is the η count per worker (the smallest, should the
 * workers disagree).
 */
public final class LandscapeMetricsJob implements MetricJob {
    @Override
    public TableSchema output() {
        return MetricTables.LANDSCAPE_METRICS;
    }

    @Override
    public List<TableSchema> requiredInputs() {
        return List.of(SnapshotTables.LANDSCAPE);
    }

    public static Dataset<Row> compute(Dataset<Row> landscape) {
        Dataset<Row> perWorker = landscape.groupBy(KeyColumns.cols(CellColumns.key("step", "worker"))).agg(
                count(lit(1)).as("points"),
                min("loss").as("loss_min"), max("loss").as("loss_max"),
                min("grad_diff_norm").as("grad_diff_min"), max("grad_diff_norm").as("grad_diff_max"),
                // an η = 0 grid point (no step) has no ratio; max skips the null
                max(when(col("step_norm").gt(0), col("grad_diff_norm").divide(col("step_norm")))).as("beta"));
        return perWorker.groupBy(KeyColumns.cols(CellColumns.key("step"))).agg(
                count(lit(1)).cast("int").as("workers"),
                min("points").cast("int").as("points"),
                min("loss_min").as("loss_min"), max("loss_max").as("loss_max"),
                min("grad_diff_min").as("grad_diff_min"), max("grad_diff_max").as("grad_diff_max"),
                avg("beta").as("beta_smoothness"), max("beta").as("beta_smoothness_max"));
    }

    @Override
    public JobOutcome run(RunDirectory run, AnalyzeOptions options) {
        long rows = MetricTableWriter.write(compute(run.read(SnapshotTables.LANDSCAPE)), output(), run);
        return new JobOutcome(rows, "bands over the η grid and workers", false);
    }
}
