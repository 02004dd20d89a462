package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static org.apache.spark.sql.functions.*;

/**
 * curves: training and test curves (the paper's Fig. 1 and 2). Training rows are the mean over the
 * workers of their minibatch loss and accuracy at each step (examples summed), smoothed by a
 * trailing moving average over the last {@code window} recorded steps of the same cell (variant, learning rate, seed) and kind; test
 * rows (the full test set, computed on the driver) are kept as they are, smoothed = raw.
 */
public final class CurvesJob implements MetricJob {
    @Override
    public TableSchema output() {
        return MetricTables.CURVES;
    }

    @Override
    public List<TableSchema> requiredInputs() {
        return List.of(SnapshotTables.METRICS);
    }

    public static Dataset<Row> compute(Dataset<Row> metrics, int window) {
        Dataset<Row> perStep = metrics.groupBy(KeyColumns.cols(CellColumns.key("kind", "step"))).agg(
                sum(col("examples").cast("long")).as("examples"),
                avg("loss").as("loss"),
                avg("accuracy").as("accuracy"));
        WindowSpec trailing = Window.partitionBy(KeyColumns.cols(CellColumns.key("kind"))).orderBy(col("step"))
                .rowsBetween(-(window - 1), Window.currentRow());
        Column train = col("kind").equalTo("train");
        return perStep
                .withColumn("loss_smoothed", when(train, avg("loss").over(trailing)).otherwise(col("loss")))
                .withColumn("accuracy_smoothed", when(train, avg("accuracy").over(trailing)).otherwise(col("accuracy")));
    }

    @Override
    public JobOutcome run(RunDirectory run, AnalyzeOptions options) {
        long rows = MetricTableWriter.write(compute(run.read(SnapshotTables.METRICS), options.smoothingWindow()), output(), run);
        return new JobOutcome(rows, "train smoothed over " + options.smoothingWindow() + " steps", false);
    }
}
