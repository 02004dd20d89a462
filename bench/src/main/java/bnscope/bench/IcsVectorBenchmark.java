package bnscope.bench;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.IcsMetricsJob;
import bnscope.analysis.MetricJob;
import bnscope.analysis.RunDirectory;
import bnscope.core.snapshots.ParquetTableWriter;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Benchmark (not a test): how fast the ics_metrics job recomputes ‖G−G'‖, ⟨G,G'⟩ and the norms
 * from stored vectors, against a bare Spark scan of the same vectors
 * ({@code SELECT sum(size(g)) + sum(size(g_prime)) FROM ics_vectors}: the same values read) in the
 * same JVM. The vectors are synthetic (seeded Gaussian floats) and written with the project's own
 * Parquet writer, in the layout a run has. Prints values per second of both, the ratio of their
 * times and its inverse, the job's throughput as a fraction of the scan's (the project's target is
 * at least 0.5). Both are timed as the best of {@code repeat} runs after a warm-up, alternating, so
 * that load from other processes hits both alike.
 *
 * <p>Options: {@code IcsVectorBenchmark --help}.
 */
@Command(name = "IcsVectorBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "ics_metrics job throughput against a bare Spark scan of the same synthetic G/G' vectors.")
public final class IcsVectorBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "where the synthetic run goes (default: a new temporary directory)")
    String dir;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "workers of the synthetic run (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "50", description = "ICS probes per worker (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "8", description = "weight layers per probe (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--values", paramLabel = "N", defaultValue = "100000", description = "float values of G, and of G', per layer (default: ${DEFAULT-VALUE})")
    int values;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "4096", description = "float values per ics_vectors row (default: ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3", description = "timed runs of each, after a warm-up; the best counts (default: ${DEFAULT-VALUE})")
    int repeat;

    /** Timings of one benchmark, best of {@code repeat} runs each. */
    public record Result(long values, double scanSeconds, double jobSeconds, String vectorCheck) {
        public double scanValuesPerSecond() {
            return values / scanSeconds;
        }

        public double jobValuesPerSecond() {
            return values / jobSeconds;
        }

        public double ratio() {
            return jobSeconds / scanSeconds;
        }

        /** Job throughput ÷ bare-scan throughput (values/s), 1/ratio. */
        public double throughputRatio() {
            return scanSeconds / jobSeconds;
        }

        public String summary() {
            return String.format(Locale.ROOT, "ics vectors: %,d float values (G and G')%n"
                            + "  bare scan  sum(size(g)) + sum(size(g_prime)): %7.2f s  %,14.0f values/s%n"
                            + "  ics_metrics job (recompute + write + check):    %7.2f s  %,14.0f values/s%n"
                            + "  job / scan time ratio: %.2f (job throughput / scan throughput: %.2f)%n  %s",
                    values, scanSeconds, scanValuesPerSecond(), jobSeconds, jobValuesPerSecond(), ratio(), throughputRatio(),
                    vectorCheck);
        }
    }

    /** Writes a synthetic run with ics and ics_vectors tables under {@code dir}; returns the number of float values. */
    public static long writeSyntheticRun(String dir, int workers, int steps, int layers, int values, int chunk) {
        Configuration conf = new Configuration();
        Path root = new Path(dir);
        SnapshotLayout layout = new SnapshotLayout(root);
        String variant = "batchnorm";
        bnscope.core.grid.GridCell cell = new bnscope.core.grid.GridCell(bnscope.core.models.Variant.BATCHNORM, 0.1, 1);
        long total = 0;
        try {
            FileSystem fs = root.getFileSystem(conf);
            fs.mkdirs(root);
            try (OutputStream m = fs.create(new Path(root, RunDirectory.MANIFEST), true)) {
                m.write(("{\"run_id\": \"ics-vector-benchmark\", \"config\": {\"benchmark\": {\"workers\": " + workers + ", \"steps\": "
                        + steps + ", \"layers\": " + layers + ", \"values\": " + values + ", \"chunk\": " + chunk
                        + "}}, \"variants\": [\"" + variant + "\"], \"status\": \"completed\"}").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        for (int w = 0; w < workers; w++) {
            SplittableRandom random = new SplittableRandom(1234L + w);
            try (ParquetTableWriter ics = new ParquetTableWriter(SnapshotTables.ICS, layout.committedFile(SnapshotTables.ICS, cell, 0, w), conf);
                 ParquetTableWriter vec = new ParquetTableWriter(SnapshotTables.ICS_VECTORS,
                         layout.committedFile(SnapshotTables.ICS_VECTORS, cell, 0, w), conf)) {
                for (int s = 0; s < steps; s++) {
                    StepKey key = new StepKey("ics-vector-benchmark", cell, w, 0, s, s);
                    for (int layer = 1; layer <= layers; layer++) {
                        float[] g = new float[values];
                        float[] p = new float[values];
                        double dot = 0, gg = 0, pp = 0, dd = 0;
                        for (int i = 0; i < values; i++) {
                            g[i] = (float) gaussian(random);
                            p[i] = layer == 1 ? g[i] : g[i] + 0.3f * (float) gaussian(random);
                            dot += (double) g[i] * p[i];
                            gg += (double) g[i] * g[i];
                            pp += (double) p[i] * p[i];
                            dd += ((double) g[i] - p[i]) * ((double) g[i] - p[i]);
                        }
                        String name = "layer" + layer;
                        ics.write(key.startRow(SnapshotTables.ICS).set("layer", layer).set("layer_name", name).set("param", "W")
                                .set("g_norm", Math.sqrt(gg)).set("g_prime_norm", Math.sqrt(pp)).set("dot", dot)
                                .set("diff_norm", Math.sqrt(dd)).set("cosine", dot / Math.sqrt(gg * pp)).set("batch_size", 128).build());
                        for (int c = 0; c * chunk < values; c++) {
                            int from = c * chunk;
                            int to = Math.min(values, from + chunk);
                            vec.write(key.startRow(SnapshotTables.ICS_VECTORS).set("layer", layer).set("layer_name", name)
                                    .set("param", "W").set("chunk", c).set("g", floats(g, from, to))
                                    .set("g_prime", floats(p, from, to)).build());
                        }
                        total += 2L * values;
                    }
                }
            }
        }
        return total;
    }

    private static List<Float> floats(float[] v, int from, int to) {
        List<Float> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(v[i]);
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller; SplittableRandom has no nextGaussian on Java 17
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Times the bare scan and the ics_metrics job over the run in {@code dir}, best of {@code repeat} each (after one warm-up). */
    public static Result measure(SparkSession spark, String dir, long values, int repeat) {
        RunDirectory run = RunDirectory.open(spark, dir);
        String vectors = run.tablePath(SnapshotTables.ICS_VECTORS).toString();
        double scan = Double.MAX_VALUE;
        double job = Double.MAX_VALUE;
        String check = "";
        for (int i = 0; i <= repeat; i++) {
            long t0 = System.nanoTime();
            spark.read().parquet(vectors).createOrReplaceTempView("ics_vectors");
            long counted = spark.sql("SELECT sum(size(g)) + sum(size(g_prime)) FROM ics_vectors").first().getLong(0);
            double s = (System.nanoTime() - t0) / 1e9;
            if (counted != values) {
                throw new IllegalStateException("scan counted " + counted + " values, expected " + values);
            }
            long t1 = System.nanoTime();
            MetricJob.JobOutcome outcome = new IcsMetricsJob().run(run, AnalyzeOptions.defaults());
            double j = (System.nanoTime() - t1) / 1e9;
            check = outcome.summary();
            if (i > 0) {
                scan = Math.min(scan, s);
                job = Math.min(job, j);
            }
        }
        spark.catalog().dropTempView("ics_vectors");
        return new Result(values, scan, job, check);
    }

    public static void main(String[] args) {
        BenchmarkCli.main(new IcsVectorBenchmark(), args);
    }

    @Override
    public Integer call() throws IOException {
        BenchmarkCli.atLeast(spec, 1, "--workers", "--steps", "--layers", "--values", "--chunk", "--repeat");
        String dir = this.dir != null ? this.dir : Files.createTempDirectory("bnscope-ics-bench").toString();
        long t0 = System.nanoTime();
        long total = writeSyntheticRun(dir, workers, steps, layers, values, chunk);
        System.out.printf(Locale.ROOT, "wrote synthetic vectors to %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
        SparkSession.Builder builder = SparkSession.builder().appName("bnscope ics vector benchmark");
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]").config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            Result r = measure(spark, dir, total, repeat);
            System.out.println(r.summary());
            // machine-readable lines for scripts/benchmark.sh
            System.out.printf(Locale.ROOT, "RESULT values=%d%nRESULT scan_values_per_s=%.0f%nRESULT ics_metrics_values_per_s=%.0f%n"
                            + "RESULT throughput_ratio=%.3f%n", r.values(), r.scanValuesPerSecond(), r.jobValuesPerSecond(),
                    r.jobValuesPerSecond() / r.scanValuesPerSecond());
        } finally {
            spark.stop();
        }
        return 0;
    }
}
