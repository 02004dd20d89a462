package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.List;
import java.util.Map;
import java.util.Locale;

import static org.apache.spark.sql.functions.*;

/**
 * ics_metrics: the paper's gradient-change measure of internal covariate shift (Section 2.2,
 * Fig. 3), ‖G−G'‖ and cos(G,G') per layer and step, aggregated over the workers.
 *
 * <p>When the run stored the G and G' vectors ({@code ics_vectors}), the sums behind the scalars
 * are recomputed in Spark SQL from the chunks: G and G' chunks are joined on their key and chunk
 * index (a shuffled hash join: the rows are large, sorting them is wasted work), each pair is
 * reduced in double precision with {@code zip_with} and {@code aggregate} to ‖G−G'‖², ‖G‖² and
 * ‖G'‖², and the per-chunk sums are added up per key. ⟨G,G'⟩ follows from the polarization
 * identity (‖G‖² + ‖G'‖² − ‖G−G'‖²)/2, which saves a pass over every pair of chunks and loses
 * nothing at the scale the dot product is checked at (‖G‖·‖G'‖, below); the opposite direction,
 * ‖G−G'‖² from the dot product, would cancel catastrophically when G' ≈ G. The result is compared
 * with the scalars the executors wrote. Relative differences use a natural scale so that
 * values near zero do not blow up: {@code |a−b| / max(|a|, |b|, s)} with s = 0 for the norms,
 * s = ‖G‖·‖G'‖ for the dot product (its Cauchy–Schwarz bound) and s = 1 for the cosine.
 */
public final class IcsMetricsJob implements MetricJob {
    static final List<String> KEY = List.of("variant", "worker", "step", "layer", "param");

    @Override
    public TableSchema output() {
        return MetricTables.ICS_METRICS;
    }

    @Override
    public List<TableSchema> requiredInputs() {
        return List.of(SnapshotTables.ICS);
    }

    /**
     * One row per executor scalar row (and per vector key without one): the executor scalars, the
     * SQL recomputation from the vectors (null when the run has no vectors for the key) and their
     * largest relative difference {@code rel_diff}; {@code in_ics} marks rows backed by an ics row.
     */
    public Dataset<Row> workerRows(RunDirectory run) {
        Dataset<Row> scalars = run.read(SnapshotTables.ICS)
                .select(col("variant"), col("worker"), col("step"), col("layer"), col("param"), col("layer_name"),
                        col("g_norm"), col("g_prime_norm"), col("dot"), col("diff_norm"), col("cosine"))
                .withColumn("in_ics", lit(true));
        if (!run.has(SnapshotTables.ICS_VECTORS)) {
            return scalars
                    .withColumn("vec_diff_norm", lit(null).cast("double"))
                    .withColumn("vec_cosine", lit(null).cast("double"))
                    .withColumn("rel_diff", lit(null).cast("double"))
                    .withColumn("bad_chunks", lit(null).cast("long"));
        }
        Dataset<Row> recomputed = vectorSums(run.read(SnapshotTables.ICS_VECTORS));
        Dataset<Row> joined = scalars.join(recomputed, KeyColumns.seq(KEY), "full_outer")
                .withColumn("in_ics", coalesce(col("in_ics"), lit(false)));
        Column rel = greatest(
                relDiff("vec_diff_norm", "diff_norm", lit(0.0)),
                relDiff("vec_dot", "dot", col("g_norm").multiply(col("g_prime_norm"))),
                relDiff("vec_g_norm", "g_norm", lit(0.0)),
                relDiff("vec_g_prime_norm", "g_prime_norm", lit(0.0)),
                relDiff("vec_cosine", "cosine", lit(1.0)));
        return joined.withColumn("rel_diff", rel);
    }

    /**
     * Per (variant, worker, step, layer, param): ‖G−G'‖, ⟨G,G'⟩, ‖G‖, ‖G'‖ and the cosine from the
     * stored chunks, all in SQL. A key with a chunk present for only one of G/G', or chunks of
     * different lengths, gets null values and a positive {@code bad_chunks}.
     */
    static Dataset<Row> vectorSums(Dataset<Row> vectors) {
        List<String> chunkKey = List.of("variant", "worker", "step", "layer", "param", "chunk");
        Dataset<Row> g = vectors.where(col("which").equalTo("G"))
                .select(col("variant"), col("worker"), col("step"), col("layer"), col("param"), col("chunk"), col("values").as("g"));
        Dataset<Row> gp = vectors.where(col("which").equalTo("G_prime"))
                .select(col("variant"), col("worker"), col("step"), col("layer"), col("param"), col("chunk"), col("values").as("p"));
        Dataset<Row> chunks = g.join(gp.hint("shuffle_hash"), KeyColumns.seq(chunkKey), "full_outer").select(
                col("variant"), col("worker"), col("step"), col("layer"), col("param"),
                expr("CASE WHEN g IS NULL OR p IS NULL OR size(g) <> size(p) THEN 1 ELSE 0 END").as("bad"),
                expr("aggregate(zip_with(g, p, (a, b) -> CAST(a AS DOUBLE) - CAST(b AS DOUBLE)), 0D, (acc, x) -> acc + x * x)").as("d2"),
                expr("aggregate(g, 0D, (acc, x) -> acc + CAST(x AS DOUBLE) * CAST(x AS DOUBLE))").as("gg"),
                expr("aggregate(p, 0D, (acc, x) -> acc + CAST(x AS DOUBLE) * CAST(x AS DOUBLE))").as("pp"));
        Dataset<Row> sums = chunks.groupBy(KeyColumns.cols(KEY)).agg(
                sum("bad").as("bad_chunks"), sum("d2").as("d2"), sum("gg").as("gg"), sum("pp").as("pp"))
                .withColumn("gp", col("gg").plus(col("pp")).minus(col("d2")).divide(2));
        Column ok = col("bad_chunks").equalTo(0);
        Column gNorm = sqrt(col("gg"));
        Column pNorm = sqrt(col("pp"));
        return sums.select(col("variant"), col("worker"), col("step"), col("layer"), col("param"), col("bad_chunks"),
                when(ok, sqrt(col("d2"))).as("vec_diff_norm"),
                when(ok, col("gp")).as("vec_dot"),
                when(ok, gNorm).as("vec_g_norm"),
                when(ok, pNorm).as("vec_g_prime_norm"),
                // cos is undefined for a zero vector; the executors write NaN there too (Spark's x/0 would give null)
                when(ok, when(col("gg").equalTo(0).or(col("pp").equalTo(0)), lit(Double.NaN))
                        .otherwise(col("gp").divide(gNorm.multiply(pNorm)))).as("vec_cosine"));
    }

    /** |a−b| / max(|a|, |b|, scale); 0 when a = b (NaN equals NaN in Spark SQL), NaN when only one is NaN. */
    static Column relDiff(String a, String b, Column scale) {
        Column diff = abs(col(a).minus(col(b)));
        return when(col(a).equalTo(col(b)), lit(0.0))
                .otherwise(diff.divide(greatest(abs(col(a)), abs(col(b)), scale)));
    }

    /** Aggregates {@link #workerRows} over the workers into the ics_metrics columns. */
    public static Dataset<Row> metrics(Dataset<Row> workerRows) {
        Column all = count(lit(1));
        return workerRows.where(col("in_ics"))
                .groupBy(col("variant"), col("layer"), col("param"), col("step"))
                .agg(min("layer_name").as("layer_name"),
                        all.cast("int").as("workers"),
                        avg("diff_norm").as("diff_norm_mean"),
                        stddev_pop("diff_norm").as("diff_norm_std"),
                        min("diff_norm").as("diff_norm_min"),
                        max("diff_norm").as("diff_norm_max"),
                        avg("cosine").as("cosine_mean"),
                        stddev_pop("cosine").as("cosine_std"),
                        min("cosine").as("cosine_min"),
                        max("cosine").as("cosine_max"),
                        avg("g_norm").as("g_norm_mean"),
                        // a mean over only some workers would not be comparable with diff_norm_mean
                        when(count("vec_diff_norm").equalTo(all), avg("vec_diff_norm")).as("vector_diff_norm_mean"),
                        when(count("vec_cosine").equalTo(all), avg("vec_cosine")).as("vector_cosine_mean"),
                        max("rel_diff").as("vector_check_rel_diff"));
    }

    /** The vector-check aggregates over all worker rows, in the order {@link #toCheck} reads them. */
    private static Column[] checkAggregates() {
        return new Column[]{
                count(when(col("in_ics").and(col("rel_diff").isNotNull()), lit(1))).as("checked"),
                max(when(col("in_ics"), col("rel_diff"))).as("max_rel"),
                count(when(col("bad_chunks").gt(0), lit(1))).as("bad"),
                count(when(not(col("in_ics")), lit(1))).as("orphans"),
                count(when(col("in_ics").and(col("rel_diff").isNull()), lit(1))).as("unchecked")};
    }

    private static VectorCheck toCheck(Row r, double tolerance) {
        return new VectorCheck(r.getLong(0), r.isNullAt(1) ? Double.NaN : r.getDouble(1), r.getLong(2), r.getLong(3),
                r.getLong(4), tolerance);
    }

    /** Summary of the vector check over all worker rows, as its own query: one small aggregate brought to the driver. */
    public static VectorCheck check(Dataset<Row> workerRows, double tolerance) {
        Column[] aggs = checkAggregates();
        return toCheck(workerRows.agg(aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length)).first(), tolerance);
    }

    /**
     * The outcome of comparing the SQL recomputation with the executors' scalars.
     *
     * @param rowsChecked      worker rows whose scalars were recomputed from vectors
     * @param maxRelDiff       largest relative difference (NaN when nothing was checked or a value is NaN on one side only)
     * @param badKeys          keys whose G/G' chunks do not pair up (missing chunk or different lengths)
     * @param orphanVectorKeys keys with vectors but no ics row
     * @param uncheckedRows    ics rows without vectors (normal when vectors are stored for some steps only)
     */
    public record VectorCheck(long rowsChecked, double maxRelDiff, long badKeys, long orphanVectorKeys,
                              long uncheckedRows, double tolerance) {
        public boolean passed() {
            return rowsChecked > 0 && maxRelDiff <= tolerance && badKeys == 0 && orphanVectorKeys == 0;
        }

        public String summary() {
            return String.format(Locale.ROOT,
                    "ics vector check: max relative difference %.3g over %d rows checked (tolerance %.0e)%s%s%s: %s",
                    maxRelDiff, rowsChecked, tolerance,
                    badKeys > 0 ? ", " + badKeys + " keys with unpaired or unequal chunks" : "",
                    orphanVectorKeys > 0 ? ", " + orphanVectorKeys + " vector keys without an ics row" : "",
                    uncheckedRows > 0 ? ", " + uncheckedRows + " ics rows without vectors" : "",
                    passed() ? "PASS" : "FAIL");
        }
    }

    @Override
    public JobOutcome run(RunDirectory run, AnalyzeOptions options) {
        if (!run.has(SnapshotTables.ICS_VECTORS)) {
            long written = MetricTableWriter.write(metrics(workerRows(run)), output(), run);
            return new JobOutcome(written, "no ics_vectors: vector columns are null", false);
        }
        // The check is observed while the table is written, so the vectors are read and reduced once.
        // (Caching the worker rows does not help: Spark does not match cached plans that hold lambda functions.)
        Observation observation = new Observation("ics_vector_check");
        Column[] aggs = checkAggregates();
        Dataset<Row> rows = workerRows(run).observe(observation, aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length));
        long written = MetricTableWriter.write(metrics(rows), output(), run);
        Map<String, Object> observed;
        try {
            observed = observation.getAsJava();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the ics vector check", e);
        }
        VectorCheck check = toCheck(RowFactory.create(observed.get("checked"), observed.get("max_rel"), observed.get("bad"),
                observed.get("orphans"), observed.get("unchecked")), options.vectorTolerance());
        return new JobOutcome(written, check.summary(), !check.passed());
    }
}
