package bnscope.jobs;

import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.SnapshotLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Trains the cells of an experiment grid in one Spark application, {@code parallel} cells at a
 * time as concurrent Spark jobs (one driver thread each). Cells are independent, so the tables do
 * not depend on how many run at once; within a cell, {@code spark.workers > 1} still trains with
 * parameter averaging. The number at once is train.parallel_cells, or (0) as many as fill the
 * cores: the embedded local master's, or on a cluster the executors', divided by spark.workers.
 */
final class GridTrainer {
    /** How long a failed grid waits for its other running cells to stop before reporting the failure. */
    static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final RunSettings settings;
    private final PrintStream out;

    GridTrainer(RunSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    void train(List<GridCell> cells, Path runDir, RunManifest manifest, TrainJob.Options options, Configuration hadoop,
               TrainingData data) {
        int workers = settings.spark().workers();
        int requested = settings.train().parallelCells();
        int localCells = requested > 0 ? requested : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        SparkSession spark = SparkSessions.create("bnscope-train-" + settings.name(), options.master(), workers * localCells);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int cores = sc.defaultParallelism();
        manifest.update(m -> m.spark = Map.of("master", sc.master(), "version", sc.version(), "app_id",
                sc.sc().applicationId(), "default_parallelism", cores));
        SnapshotLayout layout = new SnapshotLayout(runDir);
        SnapshotCommitter committer = SnapshotCommitter.attach(sc.sc(), layout);
        try {
            TestSetEvaluator evaluator = new TestSetEvaluator(data.testSet(), data.classification(), layout, sc.hadoopConfiguration());
            GridProgress progress = new GridProgress(out, cells.size(), settings.train().steps());
            CellRun cellRun = new CellRun(settings, new CellTrainer(sc, committer, evaluator, out), layout, manifest, data,
                    options.resume(), progress, hadoop, out);
            List<GridCell> pending = cells.stream().filter(c -> !cellRun.skipIfFinished(c)).toList();
            int fill = Math.max(1, cores / workers);
            int parallel = Math.max(1, Math.min(requested > 0 ? requested : fill, pending.size()));
            String why = requested > 0 ? "train.parallel_cells = " + requested
                    : "0 (fill the cores): " + cores + " cores / " + workers + " spark.workers = " + fill;
            manifest.update(m -> m.grid = describe(cells, parallel, why));
            out.printf("grid: %d cells (%d to train), %d at a time (%s)%n", cells.size(), pending.size(), parallel, why);
            runConcurrently(pending, parallel, cellRun::train);
            committer.discardRemaining();
        } finally {
            sc.sc().removeSparkListener(committer);
        }
    }

    private Map<String, Object> describe(List<GridCell> cells, int parallel, String why) {
        Map<String, Object> grid = new LinkedHashMap<>();
        grid.put("variants", settings.train().variants().stream().map(Variant::label).toList());
        grid.put("learning_rates", settings.train().gridLearningRates());
        grid.put("seeds", settings.train().gridSeeds(settings.seed()));
        grid.put("cells", cells.size());
        grid.put("parallel_cells", parallel);
        grid.put("parallel_cells_from", why);
        grid.put("execution", "one Spark application; each cell a sequence of Spark jobs (one per averaging split) in its own "
                + "driver thread; cells do not synchronize");
        return grid;
    }

    /**
     * Runs {@code train} for every cell, {@code parallel} at a time. The first failure stops the
     * grid: cells not yet started are not started, running ones are interrupted and waited for (so
     * none writes to the manifest after the failure is recorded), and the failure is rethrown.
     */
    static void runConcurrently(List<GridCell> cells, int parallel, Consumer<GridCell> train) {
        if (parallel <= 1) {
            cells.forEach(train);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        CompletionService<Void> completions = new ExecutorCompletionService<>(pool);
        AtomicBoolean stopped = new AtomicBoolean();
        try {
            List<Future<Void>> running = cells.stream().map(c -> completions.submit(() -> {
                if (!stopped.get()) {
                    try {
                        train.accept(c);
                    } catch (RuntimeException | Error e) {
                        stopped.set(true); // before the pool hands this thread the next cell
                        throw e;
                    }
                }
                return null;
            })).toList();
            for (int i = 0; i < running.size(); i++) {
                try {
                    completions.take().get(); // in completion order: a failure is seen when it happens
                } catch (ExecutionException e) { // the failed cell has set stopped already
                    running.forEach(other -> other.cancel(true));
                    awaitStop(pool);
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    stopped.set(true);
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while training grid cells", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits (a bounded time) for interrupted cells to leave their Spark jobs. */
    private static void awaitStop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
