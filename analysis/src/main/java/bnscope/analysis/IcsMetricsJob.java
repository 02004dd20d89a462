package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.RuntimeConfig;

import java.util.List;
import java.util.Map;
import java.util.Locale;

import static org.apache.spark.sql.functions.*;

/**
 * ics_metrics: the paper's gradient-change measure of internal covariate shift (Section 2.2,
 * Fig. 3), ‖G−G'‖ and cos(G,G') per layer and step, aggregated over the workers.
 *
 * <p>When the run stored the G and G' vectors ({@code ics_vectors}), the sums behind the scalars
 * are recomputed from the chunks on the executors. Each ics_vectors row holds the same elements of
 * G and G', so no join is needed: every row is reduced in one pass, in double precision, to
 * ‖G−G'‖², ‖G‖² and ‖G'‖² ({@link IcsVectorSums}), and the per-row sums are added up per key.
 * ⟨G,G'⟩ follows from the polarization identity (‖G‖² + ‖G'‖² − ‖G−G'‖²)/2, which loses nothing
 * at the scale the dot product is checked at (‖G‖·‖G'‖, below); the opposite direction, ‖G−G'‖²
 * from the dot product, would cancel catastrophically when G' ≈ G. The result is compared
 * with the scalars the executors wrote. Relative differences use a natural scale so that
 * values near zero do not blow up: {@code |a−b| / max(|a|, |b|, s)} with s = 0 for the norms,
 * s = ‖G‖·‖G'‖ for the dot product (its Cauchy–Schwarz bound) and s = 1 for the cosine.
 */
public final class IcsMetricsJob implements MetricJob {
    static final List<String> KEY = CellColumns.key("worker", "step", "layer", "param");
    /** Spark's rows per Parquet reader batch (default 4,096), read when the scan runs. */
    static final String READER_BATCH_KEY = "spark.sql.parquet.columnarReaderBatchSize";
    /**
     * Rows per reader batch for ics_vectors, unless the session chose its own: a row holds a chunk
     * of G and of G' (4,096 floats each by default), so Spark's 4,096-row batch decodes 128 MB of
     * column vectors before the sums read them back from memory; 256 rows (8 MB) made the scan
     * nearly twice as fast (docs/analysis.md, "ics_metrics against DuckDB").
     */
    static final int VECTOR_READER_BATCH_ROWS = 256;
    /** Spark's adaptive query execution (default on), read when the query is planned. */
    static final String ADAPTIVE_KEY = "spark.sql.adaptive.enabled";
    /**
     * The session settings this job uses unless the session chose its own. Adaptive execution is off
     * because the job fixes its own partitioning (one shuffle partition per core, for a few hundred
     * per-chunk rows): there is nothing for it to coalesce or re-plan, and with it on the shuffle's map
     * side runs as a job of its own, after which the rest is planned again, about 0.1 s of a 0.9 s job
     * on 160 M values (docs/analysis.md, "The page reader").
     */
    private static final Map<String, String> SESSION_DEFAULTS = Map.of(
            READER_BATCH_KEY, String.valueOf(VECTOR_READER_BATCH_ROWS), ADAPTIVE_KEY, "false");
    /**
     * Spark conf key choosing how the G and G' vectors are read: {@code pages} (the default) reads
     * their Parquet pages directly when every file has bnscope's layout, {@code spark} always uses
     * Spark's Parquet reader; both give the same rows ({@link IcsVectorSums}, docs/analysis.md).
     */
    public static final String VECTOR_READER_KEY = "spark.bnscope.icsVectorReader";
    /** What {@link #metrics} groups by: one row per cell, layer, parameter and step, over the workers. */
    private static final List<String> STEP_KEY = CellColumns.key("layer", "param", "step");

    @Override
    public TableSchema output() {
        return MetricTables.ICS_METRICS;
    }

    @Override
    public List<TableSchema> requiredInputs() {
        return List.of(SnapshotTables.ICS);
    }

    /**
     * One row per key (variant, learning_rate, seed, worker, step, layer, param) of ics or ics_vectors: the executor
     * scalars, the recomputation from the vectors (null when the run has no vectors for the key) and
     * their largest relative difference {@code rel_diff}; {@code in_ics} marks keys with an ics row,
     * {@code ics_rows} counts them (more than 1 breaks the table's key: such keys are not checked).
     */
    public Dataset<Row> workerRows(RunDirectory run) {
        return workerRows(run, run.has(SnapshotTables.ICS_VECTORS));
    }

    private Dataset<Row> workerRows(RunDirectory run, boolean withVectors) {
        Column[] scalarColumns = {col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("worker"), col("step"), col("layer"), col("param"), col("layer_name"),
                col("g_norm"), col("g_prime_norm"), col("dot"), col("diff_norm"), col("cosine"), lit(1L).as("ics_rows")};
        Dataset<Row> scalars = run.read(SnapshotTables.ICS).select(scalarColumns);
        if (!withVectors) {
            return scalars.select(col("*"), lit(true).as("in_ics"),
                    lit(null).cast("double").as("vec_diff_norm"),
                    lit(null).cast("double").as("vec_cosine"),
                    lit(null).cast("double").as("rel_diff"),
                    lit(null).cast("long").as("bad_chunks"));
        }
        Dataset<Row> chunks = IcsVectorSums.of(run);
        // Scalars and per-chunk sums meet in one aggregation instead of a join. Hashing the rows on
        // metrics()'s grouping, a subset of KEY, serves both that aggregation and the one over the
        // workers: the whole job shuffles once, and only the small per-chunk rows. One partition per
        // core is plenty for them (the default 200 costs every map task 200 shuffle files).
        int partitions = run.spark().sparkContext().defaultParallelism();
        Dataset<Row> perKey = scalars.unionByName(chunks, true)
                .repartition(partitions, KeyColumns.cols(STEP_KEY))
                .groupBy(KeyColumns.cols(KEY))
                .agg(coalesce(sum("ics_rows"), lit(0L)).as("ics_rows"),
                        max("layer_name").as("layer_name"),
                        max("g_norm").as("g_norm"), max("g_prime_norm").as("g_prime_norm"), max("dot").as("dot"),
                        max("diff_norm").as("diff_norm"), max("cosine").as("cosine"),
                        sum("bad").as("bad_chunks"), sum("d2").as("d2"), sum("gg").as("gg"), sum("pp").as("pp"));
        // ⟨G,G'⟩ from the polarization identity; keys whose chunks do not pair up get no vector values
        Column ok = col("bad_chunks").equalTo(0);
        Column gp = col("gg").plus(col("pp")).minus(col("d2")).divide(2);
        Column gNorm = sqrt(col("gg"));
        Column pNorm = sqrt(col("pp"));
        Column vecDiffNorm = when(ok, sqrt(col("d2")));
        Column vecDot = when(ok, gp);
        Column vecGNorm = when(ok, gNorm);
        Column vecGPrimeNorm = when(ok, pNorm);
        // cos is undefined for a zero vector; the executors write NaN there too (Spark's x/0 would give null)
        Column vecCosine = when(ok, when(col("gg").equalTo(0).or(col("pp").equalTo(0)), lit(Double.NaN))
                .otherwise(gp.divide(gNorm.multiply(pNorm))));
        Column rel = greatest(
                relDiff(vecDiffNorm, col("diff_norm"), lit(0.0)),
                relDiff(vecDot, col("dot"), col("g_norm").multiply(col("g_prime_norm"))),
                relDiff(vecGNorm, col("g_norm"), lit(0.0)),
                relDiff(vecGPrimeNorm, col("g_prime_norm"), lit(0.0)),
                relDiff(vecCosine, col("cosine"), lit(1.0)));
        return perKey.select(col("*"), col("ics_rows").gt(0).as("in_ics"),
                vecDiffNorm.as("vec_diff_norm"), vecDot.as("vec_dot"), vecGNorm.as("vec_g_norm"),
                vecGPrimeNorm.as("vec_g_prime_norm"), vecCosine.as("vec_cosine"),
                // a duplicated ics key has no single executor row to compare with
                when(col("ics_rows").equalTo(1), rel).as("rel_diff"));
    }

    /** |a−b| / max(|a|, |b|, scale); 0 when a = b (NaN equals NaN in Spark SQL), NaN when only one is NaN. */
    static Column relDiff(Column a, Column b, Column scale) {
        Column diff = abs(a.minus(b));
        return when(a.equalTo(b), lit(0.0))
                .otherwise(diff.divide(greatest(abs(a), abs(b), scale)));
    }

    /** Aggregates {@link #workerRows} over the workers into the ics_metrics columns. */
    public static Dataset<Row> metrics(Dataset<Row> workerRows) {
        Column all = count(lit(1));
        return workerRows.where(col("in_ics"))
                .groupBy(KeyColumns.cols(STEP_KEY))
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
                count(when(col("in_ics").and(col("ics_rows").equalTo(1)).and(col("rel_diff").isNull()), lit(1))).as("unchecked"),
                count(when(col("ics_rows").gt(1), lit(1))).as("duplicates")};
    }

    private static VectorCheck toCheck(Row r, double tolerance) {
        return new VectorCheck(r.getLong(0), r.isNullAt(1) ? Double.NaN : r.getDouble(1), r.getLong(2), r.getLong(3),
                r.getLong(4), r.getLong(5), tolerance);
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
     * @param duplicateKeys    keys with more than one ics row (the table's key is broken; their scalars are not checked)
     */
    public record VectorCheck(long rowsChecked, double maxRelDiff, long badKeys, long orphanVectorKeys,
                              long uncheckedRows, long duplicateKeys, double tolerance) {
        public boolean passed() {
            return rowsChecked > 0 && maxRelDiff <= tolerance && badKeys == 0 && orphanVectorKeys == 0 && duplicateKeys == 0;
        }

        public String summary() {
            return String.format(Locale.ROOT,
                    "ics vector check: max relative difference %.3g over %d rows checked (tolerance %.0e)%s%s%s%s: %s",
                    maxRelDiff, rowsChecked, tolerance,
                    badKeys > 0 ? ", " + badKeys + " keys with g and g_prime chunks of unequal length" : "",
                    duplicateKeys > 0 ? ", " + duplicateKeys + " keys with more than one ics row" : "",
                    orphanVectorKeys > 0 ? ", " + orphanVectorKeys + " vector keys without an ics row" : "",
                    uncheckedRows > 0 ? ", " + uncheckedRows + " ics rows without vectors" : "",
                    passed() ? "PASS" : "FAIL");
        }
    }

    @Override
    public JobOutcome run(RunDirectory run, AnalyzeOptions options) {
        if (!run.has(SnapshotTables.ICS_VECTORS)) {
            long written = MetricTableWriter.write(metrics(workerRows(run, false)), output(), run);
            return new JobOutcome(written, "no ics_vectors: vector columns are null", false);
        }
        RuntimeConfig conf = run.spark().conf();
        List<String> set = SESSION_DEFAULTS.keySet().stream().filter(k -> !conf.contains(k)).sorted().toList();
        set.forEach(k -> conf.set(k, SESSION_DEFAULTS.get(k)));
        try {
            return runWithVectors(run, options);
        } finally {
            set.forEach(conf::unset);
        }
    }

    private JobOutcome runWithVectors(RunDirectory run, AnalyzeOptions options) {
        // The check is observed while the table is written, so the vectors are read and reduced once.
        Observation observation = new Observation("ics_vector_check");
        Column[] aggs = checkAggregates();
        Dataset<Row> rows = workerRows(run, true).observe(observation, aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length));
        long written = MetricTableWriter.write(metrics(rows), output(), run);
        Map<String, Object> observed;
        try {
            observed = observation.getAsJava();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the ics vector check", e);
        }
        VectorCheck check = toCheck(RowFactory.create(observed.get("checked"), observed.get("max_rel"), observed.get("bad"),
                observed.get("orphans"), observed.get("unchecked"), observed.get("duplicates")), options.vectorTolerance());
        return new JobOutcome(written, check.summary(), !check.passed());
    }
}
