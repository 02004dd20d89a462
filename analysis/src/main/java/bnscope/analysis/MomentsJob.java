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
import java.util.Locale;

import static org.apache.spark.sql.functions.*;

/**
 * moments: layer-input distributions per step (the paper's Fig. 1, 2 and 8), merged across the
 * workers exactly.
 *
 * <p>Each worker row holds count n_i, mean μ_i and central moments m2_i, m3_i, m4_i of its own
 * values. The pooled mean is M = Σ n_i μ_i / N. Shifting each worker's central moments to M with
 * δ_i = μ_i − M (the k-set form of the pairwise combination of Chan et al. and Pébay) gives the
 * pooled central sums without subtracting large raw power sums:
 * <pre>
 *   Σ(x−M)² = Σ_i n_i (m2_i + δ_i²)
 *   Σ(x−M)³ = Σ_i n_i (m3_i + 3 δ_i m2_i + δ_i³)
 *   Σ(x−M)⁴ = Σ_i n_i (m4_i + 4 δ_i m3_i + 6 δ_i² m2_i + δ_i⁴)
 * </pre>
 * M comes from a window over the output key, so it is one shuffle. Skewness and excess kurtosis
 * are NaN when the pooled variance is 0 (e.g. a dead ReLU unit). Percentiles are exact, with linear
 * interpolation between order statistics (as Spark's {@code percentile}), over the pooled samples.
 */
public final class MomentsJob implements MetricJob {
    static final List<String> KEY = CellColumns.key("layer", "point", "unit", "step");

    @Override
    public TableSchema output() {
        return MetricTables.MOMENTS;
    }

    @Override
    public List<TableSchema> requiredInputs() {
        return List.of(SnapshotTables.ACTIVATIONS);
    }

    public static Dataset<Row> compute(Dataset<Row> activations) {
        WindowSpec sameKey = Window.partitionBy(KeyColumns.cols(KEY));
        Column n = col("count").cast("double");
        Dataset<Row> shifted = activations
                .withColumn("pooled_mean", sum(n.multiply(col("mean"))).over(sameKey).divide(sum(n).over(sameKey)))
                .withColumn("d", col("mean").minus(col("pooled_mean")))
                .withColumn("c2", n.multiply(col("m2").plus(pow(col("d"), 2))))
                .withColumn("c3", n.multiply(col("m3").plus(lit(3).multiply(col("d")).multiply(col("m2"))).plus(pow(col("d"), 3))))
                .withColumn("c4", n.multiply(col("m4").plus(lit(4).multiply(col("d")).multiply(col("m3")))
                        .plus(lit(6).multiply(pow(col("d"), 2)).multiply(col("m2"))).plus(pow(col("d"), 4))));
        Dataset<Row> merged = shifted.groupBy(KeyColumns.cols(KEY)).agg(
                min("layer_name").as("layer_name"),
                count(lit(1)).cast("int").as("workers"),
                sum("count").as("count"),
                max("pooled_mean").as("mean"),
                sum("c2").as("c2"), sum("c3").as("c3"), sum("c4").as("c4"),
                expr("array_sort(transform(flatten(collect_list(sample)), x -> CAST(x AS DOUBLE)))").as("pooled"));
        Column total = col("count").cast("double");
        Column variance = col("c2").divide(total);
        Dataset<Row> withMoments = merged
                .withColumn("variance", variance)
                .withColumn("skewness", when(variance.gt(0), col("c3").divide(total).divide(pow(variance, 1.5))).otherwise(lit(Double.NaN)))
                .withColumn("kurtosis", when(variance.gt(0), col("c4").divide(total).divide(pow(variance, 2)).minus(3)).otherwise(lit(Double.NaN)))
                .withColumn("p05", percentile("pooled", 0.05))
                .withColumn("p50", percentile("pooled", 0.50))
                .withColumn("p95", percentile("pooled", 0.95));
        WindowSpec series = Window.partitionBy(KeyColumns.cols(CellColumns.key("layer", "point", "unit"))).orderBy(col("step"));
        return withMoments
                .withColumn("delta_mean", abs(col("mean").minus(lag(col("mean"), 1).over(series))))
                .withColumn("delta_variance", abs(col("variance").minus(lag(col("variance"), 1).over(series))));
    }

    /** Exact p-quantile of a sorted double array column, interpolating linearly at position p·(n−1); null when empty. */
    static Column percentile(String sortedArray, double p) {
        String a = sortedArray;
        String pos = String.format(Locale.ROOT, "(%s * (size(%s) - 1))", Double.toString(p), a);
        String lo = "CAST(floor(" + pos + ") AS INT)";
        String hi = "CAST(ceil(" + pos + ") AS INT)";
        return expr("CASE WHEN size(" + a + ") > 0 THEN element_at(" + a + ", " + lo + " + 1) + (" + pos + " - " + lo
                + ") * (element_at(" + a + ", " + hi + " + 1) - element_at(" + a + ", " + lo + " + 1)) END");
    }

    @Override
    public JobOutcome run(RunDirectory run, AnalyzeOptions options) {
        long rows = MetricTableWriter.write(compute(run.read(SnapshotTables.ACTIVATIONS)), output(), run);
        return new JobOutcome(rows, "merged across workers", false);
    }
}
