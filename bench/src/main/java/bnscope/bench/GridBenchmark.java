package bnscope.bench;

import bnscope.core.models.Variant;
import bnscope.core.runtime.NativeBackend;
import bnscope.jobs.Main;
import bnscope.jobs.RunManifest;
import bnscope.jobs.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The experiment grid's speed (issue 11), all in this JVM under one embedded local[2] Spark session
 * (so neither side pays a JVM or Spark start-up, and a {@link SparkTimeline} sees every task):
 * <ol>
 * <li>a warm-up cell (discarded), so both sides run JIT-compiled code;</li>
 * <li>the grid: variants × seeds as one {@code train} (spark.workers = 1, two cells at a time);</li>
 * <li>the same cells as single runs, one after another (one {@code train} each, one cell at a time).</li>
 * </ol>
 * Reports the speed-up (sum of the single runs' wall times ÷ the grid's), the grid's images/s and
 * each cell's (two cells at once, one core each: compared by BENCHMARKS.md with two 1-thread libtorch
 * processes side by side), and the grid overhead per cell: the cell's wall time (manifest started_at
 * to finished_at) minus the run time of its training tasks (the local steps, and probes if on), i.e.
 * the driver's and Spark's time between tasks: scheduling, DL4J's count job and parameter set-up,
 * test evaluation, checkpoints, commits and manifest writes.
 *
 * <p>Options: {@code GridBenchmark --help}. Run with OMP_NUM_THREADS=1 as submit.sh does. Prints
 * {@code RESULT grid.*} lines ({@link BenchmarkResults}).
 */
@Command(name = "GridBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Grid speed-up, per-cell throughput and per-cell overhead of the experiment grid (probes off).")
public final class GridBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--conf", paramLabel = "FILE", required = true, description = "run config file")
    java.nio.file.Path conf;

    @Option(names = "--work", paramLabel = "DIR", required = true, description = "directory for the run directories (overwritten)")
    String work;

    @Mixin
    VariantsOption variants;

    @Option(names = "--seeds", paramLabel = "S", split = ",", defaultValue = "1,2", description = "seeds of the grid (default: ${DEFAULT-VALUE})")
    List<Long> seeds;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "40", description = "training steps per cell (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--frequency", paramLabel = "N", defaultValue = "10", description = "steps per Spark job (default: ${DEFAULT-VALUE})")
    int frequency;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "2", description = "cells at a time in the grid (default: ${DEFAULT-VALUE})")
    int parallel;

    public static void main(String[] args) {
        BenchmarkCli.main(new GridBenchmark(), args);
    }

    @Override
    public Integer call() {
        BenchmarkCli.atLeast(spec, 1, "--steps", "--frequency", "--batch", "--parallel");
        NativeBackend.configure();
        BenchmarkResults results = new BenchmarkResults(System.out);
        PrintStream log = System.err;
        SparkSession spark = SparkSessions.create("bnscope-grid-benchmark", null, parallel);
        SparkTimeline timeline = new SparkTimeline();
        spark.sparkContext().addSparkListener(timeline);

        String labels = variants.list.stream().map(Variant::label).collect(Collectors.joining(","));
        String seedList = seeds.stream().map(String::valueOf).collect(Collectors.joining(","));
        int cells = variants.list.size() * seeds.size();

        train("warmup", "[" + variants.list.get(0).label() + "]", "[" + seeds.get(0) + "]", Math.min(steps, 2 * frequency), 1, log);

        double gridSeconds = train("grid", "[" + labels + "]", "[" + seedList + "]", steps, parallel, log);
        double sequentialSeconds = 0;
        for (Variant v : variants.list) {
            for (long seed : seeds) {
                sequentialSeconds += train("single-" + v.label() + "-" + seed, "[" + v.label() + "]", "[" + seed + "]", steps, 1, log);
            }
        }
        results.put("grid.cells", cells);
        results.put("grid.parallel", parallel);
        results.put("grid.steps", steps);
        results.put("grid.batch", batch);
        results.put("grid.grid_seconds", gridSeconds);
        results.put("grid.sequential_seconds", sequentialSeconds);
        results.put("grid.speedup", sequentialSeconds / gridSeconds);
        results.put("grid.images_per_s", cells * (double) steps * batch / gridSeconds);
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
        cellFigures(results, timeline);
        spark.stop();
        return 0;
    }

    /** Runs {@code train} into WORK/NAME; returns its wall time in seconds. */
    private double train(String name, String variantList, String seedList, int cellSteps, int cells, PrintStream log) {
        List<String> args = new ArrayList<>(List.of("train", conf.toString(), "--run-dir", runDir(name),
                "--set", "run.overwrite=true", "--set", "probe.enabled=false",
                "--set", "train.variants=" + variantList, "--set", "train.seeds=" + seedList, "--set", "train.steps=" + cellSteps,
                "--set", "train.batch_size=" + batch, "--set", "train.eval_every=0", "--set", "train.checkpoint_every=0",
                "--set", "spark.workers=1", "--set", "spark.averaging_frequency=" + frequency,
                "--set", "train.parallel_cells=" + cells));
        long t0 = System.nanoTime();
        int status = Main.run(args.toArray(String[]::new), log, log);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (status != 0) {
            throw new IllegalStateException("training " + name + " failed with status " + status);
        }
        log.printf("grid benchmark: %s in %.1f s%n", name, seconds);
        return seconds;
    }

    private String runDir(String name) {
        return new Path(work, name).toString();
    }

    /**
     * Per cell of the grid run: images/s over its wall time, and its overhead (wall time minus the
     * run time of its tasks, found by the job group its driver thread set, the cell's id, and by the cell's time window).
     */
    private void cellFigures(BenchmarkResults results, SparkTimeline timeline) {
        Map<String, Object> cells = RunManifest.read(new Path(runDir("grid")), new Configuration()).section("cells");
        double overheadSum = 0;
        int n = 0;
        for (Map.Entry<String, Object> e : cells.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cell = (Map<String, Object>) e.getValue();
            long from = Instant.parse((String) cell.get("started_at")).toEpochMilli();
            long to = Instant.parse((String) cell.get("finished_at")).toEpochMilli();
            double wallMs = to - from;
            // the single runs of the same cells ran in this Spark application too, under the same job group: only
            // tasks launched inside the grid cell's own time window are its own
            double taskMs = timeline.tasks().stream().filter(t -> e.getKey().equals(t.group()) && t.launchMs() >= from && t.launchMs() <= to)
                    .mapToDouble(t -> t.deserializeMs() + t.runMs() + t.resultSerializeMs()).sum();
            String p = "grid.cell." + e.getKey() + ".";
            results.put(p + "variant", String.valueOf(cell.get("variant")));
            results.put(p + "wall_ms", wallMs);
            results.put(p + "task_ms", taskMs);
            results.put(p + "overhead_ms", wallMs - taskMs);
            results.put(p + "images_per_s", steps * (double) batch / (wallMs / 1000));
            overheadSum += wallMs - taskMs;
            n++;
        }
        results.put("grid.overhead_ms_per_cell", n == 0 ? Double.NaN : overheadSum / n);
        for (Variant v : variants.list) {
            double mean = cells.values().stream().map(c -> (Map<?, ?>) c).filter(c -> v.label().equals(c.get("variant")))
                    .mapToDouble(c -> steps * (double) batch / ((Instant.parse((String) c.get("finished_at")).toEpochMilli()
                            - Instant.parse((String) c.get("started_at")).toEpochMilli()) / 1000.0)).average().orElse(Double.NaN);
            results.put("grid." + v.label() + ".cell_images_per_s", mean);
        }
    }
}
