package bnscope.bench;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.IcsMetricsJob;
import bnscope.analysis.RunDirectory;
import bnscope.core.tables.SnapshotTables;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import static org.apache.spark.sql.functions.max;

/**
 * Benchmark (not a test): the ics_metrics job against DuckDB doing the same computation on the
 * same Parquet files ({@link IcsVectorBenchmark}'s synthetic vectors, 160 M values by default),
 * and where Spark's time goes. Spark figures, best of {@code repeat} after a warm-up, each with the
 * nested-column vectorized Parquet reader ({@code spark.sql.parquet.enableNestedColumnVectorizedReader})
 * on (with Spark's 4,096 rows a batch, and with 256) and off: the bare scan of both arrays; the recomputation up to the per-key rows (read, per-row
 * sums, the one shuffle; no write); the whole job (also the write of ics_metrics and the vector
 * check). DuckDB ({@code --duckdb-threads}, 2 by default, the machine's cores) runs the per-row
 * sums with its list functions (float arithmetic: DuckDB has no double list sum over a float list),
 * the join with the executor scalars, the aggregation over workers and the write to Parquet.
 * RESULT lines carry the prefix {@code duckdb.}.
 */
@Command(name = "IcsDuckDbBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "ics_metrics on Spark against the same computation in DuckDB, and where Spark's time goes.")
public final class IcsDuckDbBenchmark implements Callable<Integer> {
    static final String NESTED_READER = "spark.sql.parquet.enableNestedColumnVectorizedReader";
    static final String BATCH_SIZE = "spark.sql.parquet.columnarReaderBatchSize";

    @Spec
    CommandSpec spec;
    @Option(names = "--dir", paramLabel = "DIR", description = "where the synthetic run goes (default: a new temporary directory)")
    String dir;
    @Option(names = "--values", paramLabel = "N", defaultValue = "100000", description = "floats of G, and of G', per layer (default: ${DEFAULT-VALUE}; 160 M values in all)")
    int values;
    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3", description = "timed runs of each, after a warm-up; the best counts (default: ${DEFAULT-VALUE})")
    int repeat;
    @Option(names = "--duckdb-threads", paramLabel = "N", defaultValue = "2", description = "DuckDB threads (default: ${DEFAULT-VALUE})")
    int threads;

    private final BenchmarkResults results = new BenchmarkResults(System.out);

    public static void main(String[] args) {
        BenchmarkCli.main(new IcsDuckDbBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkCli.atLeast(spec, 1, "--values", "--repeat", "--duckdb-threads");
        String root = dir != null ? dir : Files.createTempDirectory("bnscope-ics-duckdb").toString();
        long total = IcsVectorBenchmark.writeSyntheticRun(root, 2, 50, 8, values, 4096);
        results.put("duckdb.values", total);
        SparkSession.Builder builder = SparkSession.builder().appName("bnscope ics duckdb benchmark");
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[2]").config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            RunDirectory run = RunDirectory.open(spark, root);
            results.put("duckdb.nested_reader_default", spark.conf().get(NESTED_READER));
            // the reader's default (nested vectorized, 4,096 rows a batch), the row-based reader, and smaller batches:
            // a batch of 4,096 ics_vectors rows holds 2 x 16 M floats (128 MB) in its column vectors
            String[][] readers = {{"on", "true", "4096"}, {"off", "false", "4096"}, {"on_batch256", "true", "256"}};
            // the ics_metrics job as shipped reads the vectors' pages itself; these time it on Spark's reader
            spark.conf().set(IcsMetricsJob.VECTOR_READER_KEY, "spark");
            for (String[] reader : readers) {
                spark.conf().set(NESTED_READER, reader[1]);
                spark.conf().set(BATCH_SIZE, reader[2]);
                String p = "duckdb.spark_nested_" + reader[0] + ".";
                results.put(p + "scan_s", best(() -> {
                    spark.read().parquet(run.tablePath(SnapshotTables.ICS_VECTORS).toString()).createOrReplaceTempView("v");
                    return spark.sql("SELECT sum(size(g)) + sum(size(g_prime)) FROM v").first().getLong(0);
                }));
                recomputeAndJob(run, p);
            }
            spark.conf().unset(BATCH_SIZE);
            spark.conf().unset(NESTED_READER);
            // the page reader with parquet-mr's row-group reader fetching the pages (the default before the chunk reader)
            spark.conf().set(IcsMetricsJob.VECTOR_READER_KEY, "parquet-pages");
            recomputeAndJob(run, "duckdb.parquet_pages.");
            spark.conf().unset(IcsMetricsJob.VECTOR_READER_KEY);
            recomputeAndJob(run, "duckdb.pages.");
        } finally {
            spark.stop();
        }
        Path out = Path.of(root, "duckdb_ics_metrics.parquet");
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = db.createStatement()) {
                s.execute("SET threads = " + threads);
            }
            String sql = duckDbQuery(root, out.toString());
            results.put("duckdb.duckdb_s", best(() -> {
                try (Statement s = db.createStatement()) {
                    s.execute(sql);
                    try (ResultSet rs = s.executeQuery("SELECT count(*), max(rel_diff) FROM read_parquet('" + out + "')")) {
                        rs.next();
                        return rs.getLong(1) + " rows, max rel diff " + rs.getDouble(2);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        results.put("duckdb.duckdb_threads", threads);
        return 0;
    }

    /** Times the recomputation up to the per-key rows ({@code PREFIXrecompute_s}) and the whole job ({@code PREFIXjob_s}) on the session's settings. */
    private void recomputeAndJob(RunDirectory run, String prefix) {
        results.put(prefix + "recompute_s", best(() -> new IcsMetricsJob().workerRows(run).agg(max("rel_diff")).first().get(0)));
        results.put(prefix + "job_s", best(() -> new IcsMetricsJob().run(run, AnalyzeOptions.defaults()).summary()));
    }

    /** What ics_metrics computes, in DuckDB: per-row sums, per-key sums beside the scalars, the mean over workers, written to Parquet. */
    static String duckDbQuery(String root, String out) {
        return "COPY (WITH rows AS (SELECT variant, worker, step, layer, param, "
                + "list_distance(g, g_prime) ^ 2 AS d2, list_inner_product(g, g) AS gg, list_inner_product(g_prime, g_prime) AS pp "
                + "FROM read_parquet('" + root + "/ics_vectors/**/*.parquet', hive_partitioning = true)), "
                + "keys AS (SELECT variant, worker, step, layer, param, sqrt(sum(d2)) AS vec_diff_norm, "
                + "(sum(gg) + sum(pp) - sum(d2)) / 2 / sqrt(sum(gg) * sum(pp)) AS vec_cosine FROM rows GROUP BY ALL), "
                + "joined AS (SELECT i.*, k.vec_diff_norm, k.vec_cosine, "
                + "greatest(abs(k.vec_diff_norm - i.diff_norm) / greatest(abs(i.diff_norm), 1e-300), "
                + "abs(k.vec_cosine - i.cosine) / greatest(abs(i.cosine), 1)) AS rel_diff "
                + "FROM read_parquet('" + root + "/ics/**/*.parquet', hive_partitioning = true) i "
                + "JOIN keys k USING (variant, worker, step, layer, param)) "
                + "SELECT variant, layer, param, step, min(layer_name) AS layer_name, count(*) AS workers, "
                + "avg(diff_norm) AS diff_norm_mean, stddev_pop(diff_norm) AS diff_norm_std, avg(cosine) AS cosine_mean, "
                + "avg(vec_diff_norm) AS vector_diff_norm_mean, avg(vec_cosine) AS vector_cosine_mean, max(rel_diff) AS rel_diff "
                + "FROM joined GROUP BY variant, layer, param, step) TO '" + out + "' (FORMAT parquet)";
    }

    /** Best wall time of {@code repeat} runs after one warm-up, in seconds; prints each run's answer once. */
    private double best(Supplier<Object> work) {
        double best = Double.MAX_VALUE;
        Object answer = null;
        for (int i = 0; i <= repeat; i++) {
            long t0 = System.nanoTime();
            answer = work.get();
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
                best = Math.min(best, s);
            }
        }
        System.out.println(String.format(Locale.ROOT, "%.3f s: %s", best, answer));
        return best;
    }
}
