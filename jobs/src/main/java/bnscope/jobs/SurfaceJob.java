package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Evaluation;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.RunActivity;
import bnscope.core.run.RunLock;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.surface.FilterNormalizedDirections;
import bnscope.core.surface.SurfaceCost;
import bnscope.core.surface.SurfaceGrid;
import bnscope.core.surface.SurfacePoint;
import bnscope.core.surface.SurfaceProblem;
import bnscope.core.surface.SurfaceSeeds;
import bnscope.core.tables.SnapshotTables;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./submit.sh surface RUN_DIR --variant V --step N}: the 2-D loss surface around a
 * checkpoint in the plane of two filter-normalized random directions (Li et al. 2018), and the 1-D
 * interpolation from the initial weights to it (Goodfellow et al. 2015), evaluated on a fixed sample
 * of the training set; the points are Spark tasks and their rows are committed exactly once into
 * the {@code surface} table (docs/surface.md). The arithmetic lives in {@code bnscope.core.surface}.
 */
public final class SurfaceJob {
    /** Default training-sample size: 512 examples keep a 31×31 vgg-mini surface to minutes on 2 cores. */
    public static final int DEFAULT_SAMPLE = 512;
    /** Default budget: a surface estimated to take longer is refused with its cost. */
    public static final double DEFAULT_MAX_MINUTES = 60;

    /** The command-line choices; {@code learningRate}, {@code seed}, {@code directionSeed}, {@code partitions} may be null (defaults). */
    public record Options(String variant, Double learningRate, Long seed, long step, SurfaceGrid grid, int sample,
                          Long directionSeed, Integer partitions, double maxMinutes, boolean breakLock, String master) {
    }

    /** What was computed: the rows committed and the centre's loss as evaluated on the driver. */
    public record Outcome(Path runDir, String cell, long step, long rows, double centreLoss, double seconds) {
    }

    private final Options options;
    private final PrintStream out;

    public SurfaceJob(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static int run(String runDir, Options options, PrintStream out) {
        new SurfaceJob(options, out).run(runDir);
        return 0;
    }

    /** Runs the job holding the run's lock. */
    public Outcome run(String runDirName) {
        Configuration hadoop = new Configuration();
        Path runDir = RecordedRun.existingRunDir(runDirName, hadoop);
        RunActivity.notice(runDir, hadoop).ifPresent(out::println);
        RunLock lock = RecordedRun.lock(runDir, hadoop, "surface " + runDirName, options.breakLock(), out, "surface");
        try (lock) {
            return compute(runDir, hadoop);
        }
    }

    private Outcome compute(Path runDir, Configuration hadoop) {
        if (options.sample() < 1) {
            throw new BadInputException("--sample must be at least 1 training example (got " + options.sample() + ").");
        }
        if (!(options.maxMinutes() > 0)) {
            throw new BadInputException("--max-minutes must be positive (got " + options.maxMinutes() + ").");
        }
        RunManifest manifest = RunManifest.read(runDir, hadoop);
        RunConfig config = RecordedRun.configOf(manifest, runDir);
        RunSettings settings = RunSettings.from(config);
        Variant variant = trainedVariant(settings, runDir);
        GridCell cell = SurfaceCell.select(settings, runDir, variant, options.learningRate(), options.seed());
        MultiLayerNetwork checkpoint = SurfaceCell.checkpoint(runDir, cell, options.step(), hadoop);
        TrainingData data = RecordedRun.reopenData(config, manifest, runDir, options.step(), hadoop, out, "surface");
        if (options.sample() > data.trainingExamples()) {
            throw new BadInputException("--sample " + options.sample() + " is more than the run's " + data.trainingExamples()
                    + " training examples; choose at most " + data.trainingExamples() + ".");
        }
        long directionSeed = options.directionSeed() != null ? options.directionSeed() : cell.seed();
        SurfaceSeeds seeds = SurfaceSeeds.of(directionSeed);
        SurfaceGrid grid = options.grid();
        INDArray initial = grid.linePoints() > 0 ? Networks.build(settings.forCell(cell), variant).params() : null;
        SurfaceProblem problem = new SurfaceProblem(checkpoint, FilterNormalizedDirections.plane(checkpoint, seeds), initial, data,
                options.sample(), seeds.sample());

        // The checkpoint itself, on the driver: its loss on the sample, and what one point costs here.
        long t0 = System.nanoTime();
        DataSet sample = problem.sample();
        Evaluation.Result centre = problem.evaluate(problem.network(), sample, new SurfacePoint(SurfacePoint.PLANE, -1, -1, 0, 0));
        double secondsPerPoint = (System.nanoTime() - t0) / 1e9;

        String label = cell.id();
        // like every bnscope command, the session lives until the JVM ends (in-process callers share it)
        SparkSession spark = SparkSessions.create("bnscope-surface", options.master(), Runtime.getRuntime().availableProcessors());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int cores = jsc.defaultParallelism();
        List<SurfacePoint> points = grid.points();
        int partitions = options.partitions() != null ? options.partitions() : Math.min(points.size(), 4 * cores);
        if (partitions < 1 || partitions > points.size()) {
            throw new BadInputException("--partitions must be in 1.." + points.size() + " (the points) (got " + partitions + ").");
        }
        SurfaceCost.check(grid, options.sample(), secondsPerPoint, cores, options.maxMinutes());
        out.printf("surface: [%s] step %d, %s grid over [-%s, %s]² + %d line points = %d points on a %d-example training sample "
                        + "(seed %d); directions from seed %d; checkpoint loss on the sample %.6f, accuracy %.4f; "
                        + "~%.2fs per point on the driver, %d cores%n",
                label, options.step(), grid, grid.span(), grid.span(), grid.linePoints(), grid.pointCount(), options.sample(),
                seeds.sample(), directionSeed, centre.loss(), centre.accuracy(), secondsPerPoint, cores);
        SnapshotLayout layout = new SnapshotLayout(runDir);
        // the surface this re-run replaces is moved aside, deleted only once the new rows are complete
        ReplacedFiles earlier = ReplacedFiles.moveAside(runDir, layout.variantDir(SnapshotTables.SURFACE, cell.variant().label()),
                SnapshotLayout.surfaceFilePrefix(cell, options.step()), hadoop);
        double seconds;
        long committed;
        try {
            SnapshotCommitter committer = SnapshotCommitter.attach(spark.sparkContext(), layout);
            long start = System.nanoTime();
            Broadcast<SurfaceProblem> shared = jsc.broadcast(problem);
            StepKey key = StepKey.driver(String.valueOf((Object) manifest.get(m -> m.runId)), cell, options.step());
            long staged;
            // fault injection, for tests only: a thread-local Spark property, cleared after the job
            jsc.setLocalProperty(SurfaceTask.FAIL_PROPERTY, System.getProperty(SurfaceTask.FAIL_PROPERTY));
            try {
                staged = jsc.parallelize(points, partitions)
                        .mapPartitionsWithIndex(new SurfaceTask(shared, grid, seeds, runDir.toString(), key), false)
                        .collect().stream().mapToLong(Long::longValue).sum();
                committer.commit(spark.sparkContext());
            } finally {
                committer.discardRemaining();
                shared.destroy();
                spark.sparkContext().removeSparkListener(committer);
                jsc.setLocalProperty(SurfaceTask.FAIL_PROPERTY, null);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            committed = committedRows(spark, layout, cell, options.step());
            if (committed != points.size() || staged != points.size()) {
                throw new IllegalStateException("surface: " + committed + " rows committed (" + staged + " staged by the successful "
                        + "attempts) for " + points.size() + " points; the table is incomplete");
            }
            out.printf("surface: [%s] step %d: %d rows committed to %s in %.1fs (%.2f points/s, %d tasks, %d discarded attempts)%n",
                    label, options.step(), committed, layout.table(SnapshotTables.SURFACE), seconds, points.size() / seconds,
                    partitions, committer.discardedAttempts());
        } catch (RuntimeException | Error e) {
            earlier.restore();
            throw e;
        }
        earlier.discard(); // before the record: a killed driver's next run must not undo rows that are complete
        record(manifest, cell, seeds, centre, points.size(), partitions, cores, seconds);
        return new Outcome(runDir, cell.id(), options.step(), committed, centre.loss(), seconds);
    }

    private Variant trainedVariant(RunSettings settings, Path runDir) {
        if (options.variant() == null || options.variant().isBlank()) {
            throw new BadInputException("--variant is required; run " + runDir + " trained "
                    + settings.train().variants().stream().map(Variant::label).toList() + ".");
        }
        Variant v = Variant.fromName(options.variant());
        if (!settings.train().variants().contains(v)) {
            throw new BadInputException("run " + runDir + " did not train variant " + v.label() + "; it trained "
                    + settings.train().variants().stream().map(Variant::label).toList() + ". Pass one of them with --variant.");
        }
        return v;
    }

    private static long committedRows(SparkSession spark, SnapshotLayout layout, GridCell cell, long step) {
        Path dir = layout.variantDir(SnapshotTables.SURFACE, cell.variant().label());
        return spark.read().parquet(new Path(dir, SnapshotLayout.surfaceFilePrefix(cell, step) + "*.parquet").toString()).count();
    }

    private void record(RunManifest manifest, GridCell cell, SurfaceSeeds seeds, Evaluation.Result centre,
                        int points, int partitions, int cores, double seconds) {
        SurfaceGrid grid = options.grid();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("variant", cell.variant().label());
        s.put("learning_rate", cell.learningRate());
        s.put("seed", cell.seed());
        s.put("step", options.step());
        s.put("computed_at", Instant.now().toString());
        s.put("grid", grid.toString());
        s.put("span", grid.span());
        s.put("line_points", grid.linePoints());
        s.put("direction_seed", seeds.direction());
        s.put("directions", "filter-normalized Gaussian directions (Li et al. 2018): per output filter of every conv/dense "
                + "weight; biases, BatchNorm gamma/beta and running statistics get direction 0 (Li et al.'s biasbn)");
        s.put("evaluation", "evaluation mode: the checkpoint's BatchNorm running statistics, no noise");
        s.put("line", "theta0 + t (theta_step - theta0), t in [0, 1], every parameter (running statistics included); "
                + "theta0 rebuilt from the recorded config and seed");
        s.put("sample", Map.of("examples", options.sample(), "seed", seeds.sample(),
                "drawn", "without replacement from the training set (SplitMix64 Fisher-Yates), normalized as in training"));
        s.put("centre_loss", centre.loss());
        s.put("centre_accuracy", centre.accuracy());
        s.put("points", points);
        s.put("tasks", partitions);
        s.put("cores", cores);
        s.put("seconds", seconds);
        manifest.update(m -> {
            Map<String, Object> all = m.surfaces == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m.surfaces);
            all.put(cell.id() + "@" + options.step(), ManifestFile.asRecorded(s));
            m.surfaces = all;
        });
    }
}
