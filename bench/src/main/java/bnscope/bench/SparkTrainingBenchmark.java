package bnscope.bench;

import bnscope.core.models.Variant;
import bnscope.core.runtime.NativeBackend;
import bnscope.jobs.Main;
import bnscope.jobs.RunManifest;
import bnscope.jobs.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Training throughput of the real Spark job ({@code bnscope.jobs.Main train}, probes off) under an
 * embedded local[W] master, run in this JVM so a {@link SparkTimeline} listener can see every Spark
 * job and task. Reports per variant: images/s over the whole variant (the manifest's train_seconds),
 * steady-state images/s (after the first averaging split, which pays JIT and native warm-up), and
 * where a steady split's wall time goes: the data-count job DL4J runs before training, the training
 * job, driver work between jobs, and inside each training task the start-up (network rebuilt from
 * the broadcast), the local steps (from the metrics rows' time stamps) and the tail (result
 * serialization, snapshot file close).
 *
 * <p>Options: {@code SparkTrainingBenchmark --help}. Run with OMP_NUM_THREADS=1 as submit.sh does.
 * Prints {@code RESULT} lines ({@link BenchmarkResults}).
 */
@Command(name = "SparkTrainingBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training throughput of the real Spark job (probes off) under an embedded local[W] master.")
public final class SparkTrainingBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--conf", paramLabel = "FILE", required = true, description = "run config file")
    java.nio.file.Path conf;

    @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "run directory (overwritten)")
    String runDir;

    @Option(names = "--label", paramLabel = "NAME", required = true, description = "RESULT key part: spark.NAME.*")
    String label;

    @Mixin
    VariantsOption variants;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "60", description = "training steps per variant (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--frequency", paramLabel = "N", defaultValue = "5", description = "averaging frequency, steps per split (default: ${DEFAULT-VALUE})")
    int frequency;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Spark workers = local cores (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch;

    public static void main(String[] args) {
        BenchmarkCli.main(new SparkTrainingBenchmark(), args);
    }

    @Override
    public Integer call() {
        BenchmarkCli.atLeast(spec, 1, "--steps", "--frequency", "--workers", "--batch");
        NativeBackend.configure();
        BenchmarkResults results = new BenchmarkResults(System.out);
        PrintStream log = System.err;
        List<String> labels = variants.list.stream().map(Variant::label).toList();

        SparkSession spark = SparkSessions.create("bnscope-benchmark", null, workers);
        SparkTimeline timeline = new SparkTimeline();
        spark.sparkContext().addSparkListener(timeline);
        List<String> train = new ArrayList<>(List.of("train", conf.toString(), "--run-dir", runDir,
                "--set", "run.overwrite=true", "--set", "probe.enabled=false",
                "--set", "train.variants=[" + String.join(",", labels) + "]", "--set", "train.steps=" + steps,
                "--set", "train.batch_size=" + batch, "--set", "train.eval_every=0", "--set", "train.checkpoint_every=0",
                "--set", "spark.workers=" + workers, "--set", "spark.averaging_frequency=" + frequency));
        int status = Main.run(train.toArray(String[]::new), log, log);
        if (status != 0) {
            throw new IllegalStateException("training job failed with status " + status);
        }
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }

        RunManifest manifest = RunManifest.read(new Path(runDir), new Configuration());
        // a grid of one: one cell per variant, found by its variant
        Map<String, Object> cells = manifest.section("cells");
        List<Row> rows = spark.read().parquet(new Path(runDir, "metrics").toString()).where("kind = 'train'")
                .select("variant", "worker", "step", "time_ms").collectAsList();
        String prefix = "spark." + label + ".";
        results.put(prefix + "frequency", frequency);
        results.put(prefix + "workers", workers);
        results.put(prefix + "steps", steps);
        for (String variant : labels) {
            @SuppressWarnings("unchecked")
            Map<String, Object> state = cells.values().stream().map(c -> (Map<String, Object>) c)
                    .filter(c -> variant.equals(c.get("variant"))).findFirst().orElseThrow();
            double trainSeconds = ((Number) state.get("train_seconds")).doubleValue();
            long from = Instant.parse((String) state.get("started_at")).toEpochMilli();
            long to = Instant.parse((String) state.get("finished_at")).toEpochMilli();
            String p = prefix + variant + ".";
            results.put(p + "train_seconds", trainSeconds);
            results.put(p + "wall_images_per_s", steps * (double) batch / trainSeconds);
            splitBreakdown(p, variant, timeline, rows, from, to, steps, frequency, batch, results, log);
        }
        spark.stop();
        return 0;
    }

    /** Splits a steady averaging split's wall time into Spark jobs, driver work and task phases. */
    private static void splitBreakdown(String p, String variant, SparkTimeline timeline, List<Row> rows, long from, long to,
                                       int steps, int frequency, int batch, BenchmarkResults results, PrintStream log) {
        List<SparkTimeline.Job> jobs = timeline.jobs().stream().filter(j -> j.startMs() >= from && j.endMs() <= to)
                .sorted(Comparator.comparingLong(SparkTimeline.Job::startMs)).toList();
        List<SparkTimeline.Job> trainJobs = jobs.stream().filter(j -> !j.name().startsWith("count")).toList();
        List<SparkTimeline.Job> countJobs = jobs.stream().filter(j -> j.name().startsWith("count")).toList();
        int splits = steps / frequency;
        log.printf("%s: %d Spark jobs (%d count, %d training; first names: %s)%n", variant, jobs.size(), countJobs.size(),
                trainJobs.size(), jobs.stream().map(SparkTimeline.Job::name).distinct().limit(3).toList());
        if (trainJobs.size() != splits || splits < 2) {
            log.printf("%s: expected %d training jobs, saw %d; no split breakdown%n", variant, splits, trainJobs.size());
            return;
        }
        // steady state: from the end of split 0's training job to the end of the last one
        long steadyMs = trainJobs.get(splits - 1).endMs() - trainJobs.get(0).endMs();
        results.put(p + "steady_images_per_s", (splits - 1) * (double) frequency * batch * 1000.0 / steadyMs);
        results.put(p + "split_ms", steadyMs / (double) (splits - 1));
        double slowest = 0;
        for (int s = 1; s < splits; s++) {
            slowest = Math.max(slowest, trainJobs.get(s).endMs() - trainJobs.get(s - 1).endMs());
        }
        results.put(p + "slowest_split_ms", slowest);
        double count = countJobs.stream().filter(j -> j.startMs() > trainJobs.get(0).endMs()).mapToLong(SparkTimeline.Job::millis)
                .average().orElse(0);
        double trainJob = trainJobs.subList(1, splits).stream().mapToLong(SparkTimeline.Job::millis).average().orElse(0);
        results.put(p + "count_job_ms", count);
        java.util.Set<Integer> steadyCounts = new java.util.HashSet<>();
        countJobs.stream().filter(j -> j.startMs() > trainJobs.get(0).endMs()).forEach(j -> steadyCounts.add(j.id()));
        results.put(p + "count_task_run_ms", timeline.tasks().stream().filter(t -> steadyCounts.contains(t.jobId()))
                .mapToLong(SparkTimeline.Task::runMs).average().orElse(0));
        results.put(p + "train_job_ms", trainJob);
        results.put(p + "driver_between_jobs_ms", steadyMs / (double) (splits - 1) - count - trainJob);

        // step end times per (worker, step) from the metrics rows
        Map<Long, Long>[] stepEnd = stepEnds(rows, variant);
        List<Double> intervals = new ArrayList<>();
        List<Double> startup = new ArrayList<>();
        List<Double> tail = new ArrayList<>();
        List<Double> deserialize = new ArrayList<>();
        List<Double> gc = new ArrayList<>();
        List<Double> toLaunch = new ArrayList<>();
        List<Double> afterTasks = new ArrayList<>();
        List<SparkTimeline.Task> allTasks = timeline.tasks();
        for (int s = 1; s < splits; s++) {
            SparkTimeline.Job job = trainJobs.get(s);
            List<SparkTimeline.Task> jobTasks = allTasks.stream().filter(t -> t.jobId() == job.id()).toList();
            if (!jobTasks.isEmpty()) {
                toLaunch.add((double) (jobTasks.stream().mapToLong(SparkTimeline.Task::launchMs).min().orElseThrow() - job.startMs()));
                afterTasks.add((double) (job.endMs() - jobTasks.stream().mapToLong(SparkTimeline.Task::finishMs).max().orElseThrow()));
            }
            for (SparkTimeline.Task t : jobTasks) {
                if (t.jobId() != job.id() || t.partition() >= stepEnd.length) {
                    continue;
                }
                Map<Long, Long> ends = stepEnd[t.partition()];
                long first = (long) s * frequency;
                long last = first + frequency - 1;
                if (!ends.containsKey(first) || !ends.containsKey(last)) {
                    continue;
                }
                for (long k = first + 1; k <= last; k++) {
                    intervals.add((double) (ends.get(k) - ends.get(k - 1)));
                }
                startup.add((double) (ends.get(first) - t.launchMs()));
                tail.add((double) (t.finishMs() - ends.get(last)));
                deserialize.add((double) t.deserializeMs());
                gc.add((double) t.gcMs());
            }
        }
        if (intervals.isEmpty()) {
            log.printf("%s: no task/step times matched; no task breakdown%n", variant);
            return;
        }
        double step = median(intervals);
        results.put(p + "task_step_ms", step);
        results.put(p + "task_first_step_ms", mean(startup));
        results.put(p + "task_startup_ms", mean(startup) - step);
        results.put(p + "task_deserialize_ms", mean(deserialize));
        results.put(p + "task_gc_ms", mean(gc));
        results.put(p + "task_tail_ms", mean(tail));
        results.put(p + "train_job_to_first_task_ms", mean(toLaunch));
        results.put(p + "train_job_after_tasks_ms", mean(afterTasks));
        results.put(p + "in_task_images_per_s", batch * 1000.0 / step);
    }

    @SuppressWarnings("unchecked")
    private static Map<Long, Long>[] stepEnds(List<Row> rows, String variant) {
        int workers = rows.stream().filter(r -> variant.equals(r.getString(0))).mapToInt(r -> r.getInt(1)).max().orElse(-1) + 1;
        Map<Long, Long>[] ends = new Map[workers];
        for (int w = 0; w < workers; w++) {
            ends[w] = new HashMap<>();
        }
        for (Row r : rows) {
            if (variant.equals(r.getString(0))) {
                ends[r.getInt(1)].put(r.getLong(2), r.getLong(3));
            }
        }
        return ends;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
