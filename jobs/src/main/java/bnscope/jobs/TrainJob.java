package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The training job: validates config and data, then trains each variant in turn on Spark
 * (parameter averaging), with probes on the executors, test evaluation and checkpoints on the
 * driver, and the run manifest kept current. Entry point: {@code ./submit.sh train CONF}.
 */
public final class TrainJob {
    private final RunConfig config;
    private final RunSettings settings;
    private final PrintStream out;

    /** Command-line choices that are not config keys. */
    public record Options(boolean resume, String runDirOverride, String master) {
    }

    public TrainJob(RunConfig config, PrintStream out) {
        this.config = config;
        this.settings = RunSettings.from(config);
        this.out = out;
    }

    /** The run directory the config (or --run-dir) designates. */
    public static Path runDir(RunSettings settings, String override) {
        if (override != null && !override.isBlank()) {
            return new Path(override);
        }
        String explicit = settings.dir();
        return explicit.isBlank() ? new Path(settings.outputDir(), settings.name()) : new Path(explicit);
    }

    public Path run(Options options) {
        Configuration hadoop = new Configuration();
        Path runDir = qualify(runDir(settings, options.runDirOverride()), hadoop);
        checkRunDir(runDir, options.resume(), hadoop);
        List<Variant> variants = settings.train().variants();

        out.println("bnscope train: " + config.source() + " -> " + runDir);
        // Data is validated before the run directory is touched: bad input leaves nothing behind.
        TrainingData data = TrainingDataFactory.open(settings, runDir.toString(), hadoop, out);
        prepareRunDir(runDir, options.resume(), hadoop);

        int workers = settings.spark().workers();
        int parallel = Math.min(settings.train().parallelVariants(), variants.size());
        SparkSession spark = SparkSessions.create("bnscope-train-" + settings.name(), options.master(),
                workers * parallel);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SnapshotLayout layout = new SnapshotLayout(runDir);
        RunManifest manifest = options.resume() ? RunManifest.read(runDir, hadoop) : RunManifest.create(runDir, hadoop);
        describe(manifest, data, sc);
        manifest.markRunning();
        SnapshotCommitter committer = SnapshotCommitter.attach(sc.sc(), layout);
        try {
            TestSetEvaluator evaluator = new TestSetEvaluator(data.testSet(), data.classification(), layout, sc.hadoopConfiguration());
            VariantTrainer trainer = new VariantTrainer(sc, data, committer, evaluator, out);
            runVariants(variants, parallel, variant -> trainVariant(variant, trainer, layout, manifest, options.resume(), hadoop));
            committer.discardRemaining();
            manifest.markCompleted();
            out.println("bnscope train: completed; tables under " + runDir);
            return runDir;
        } catch (RuntimeException | Error e) {
            manifest.markFailed(e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        } finally {
            sc.sc().removeSparkListener(committer);
        }
    }

    /**
     * Trains the variants one after another, or {@code parallel} at a time as concurrent Spark jobs
     * (each variant's computation is independent, so results do not depend on the interleaving).
     */
    private static void runVariants(List<Variant> variants, int parallel, java.util.function.Consumer<Variant> train) {
        if (parallel <= 1) {
            variants.forEach(train);
            return;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        try {
            List<java.util.concurrent.Future<?>> running = variants.stream()
                    .<java.util.concurrent.Future<?>>map(v -> pool.submit(() -> train.accept(v))).toList();
            for (java.util.concurrent.Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    running.forEach(other -> other.cancel(true));
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while training variants", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void trainVariant(Variant variant, VariantTrainer trainer, SnapshotLayout layout, RunManifest manifest,
                              boolean resume, Configuration hadoop) {
        if (resume && "completed".equals(manifest.variant(variant.label()).get("status"))) {
            out.println("[" + variant.label() + "] already completed; skipping (resume)");
            return;
        }
        Checkpoints checkpoints = new Checkpoints(layout.runDir(), variant.label(), hadoop);
        MultiLayerNetwork net;
        long startStep = 0;
        OptionalLong latest = resume ? checkpoints.latestStep() : OptionalLong.empty();
        if (latest.isPresent()) {
            startStep = latest.getAsLong();
            net = checkpoints.load(startStep);
            out.println("[" + variant.label() + "] resuming from checkpoint at step " + startStep);
        } else {
            net = Networks.build(settings, variant);
        }
        net.setIterationCount((int) startStep);
        // Rows past the resume point were written by the stopped run; they are recomputed, not duplicated.
        dropRowsAfter(layout, variant.label(), startStep, settings.spark().averagingFrequency(), hadoop);

        Map<String, String> helpers = NativeBackend.layerHelpers(net);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("status", "running");
        state.put("parameters", net.numParams());
        state.put("layer_helpers", helpers);
        state.put("started_at", Instant.now().toString());
        manifest.updateVariant(variant.label(), state);
        out.printf("[%s] %d parameters; layer helpers: %s%n", variant.label(), net.numParams(),
                helpers.isEmpty() ? "none needed" : helpers.values().stream().distinct().toList());

        VariantTrainer.Plan plan = new VariantTrainer.Plan(settings, variant.label(), layout);
        VariantTrainer.Outcome outcome = trainer.train(net, startStep, plan, checkpoints);

        state = new LinkedHashMap<>();
        state.put("status", "completed");
        state.put("steps", outcome.steps());
        state.put("final_train_loss", outcome.lastTrainLoss());
        if (outcome.lastTest() != null) {
            state.put("final_test_loss", outcome.lastTest().loss());
            state.put("final_test_accuracy", outcome.lastTest().accuracy());
        }
        state.put("train_seconds", outcome.seconds());
        state.put("finished_at", Instant.now().toString());
        manifest.updateVariant(variant.label(), state);
    }

    private void describe(RunManifest manifest, TrainingData data, JavaSparkContext sc) {
        manifest.put("run_id", settings.name());
        if (manifest.get("created_at") == null) {
            manifest.put("created_at", Instant.now().toString());
        }
        manifest.put("started_at", Instant.now().toString());
        manifest.put("config_source", config.source());
        manifest.put("config", config.asMap());
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("run_seed", settings.seed());
        seeds.put("derivation", "network init = run.seed; data order = run.seed; noisy BN draw = hash(run.seed, layer, step); "
                + "activation samples = hash(run.seed, step, layer, unit); Spark data split = run.seed");
        manifest.put("seeds", seeds);
        manifest.put("data", data.describe());
        manifest.put("decisions", Networks.decisions(settings.model()));
        manifest.put("spark", Map.of("master", sc.master(), "version", sc.version(), "app_id", sc.sc().applicationId(),
                "default_parallelism", sc.defaultParallelism()));
        manifest.put("versions", BuildInfo.versions());
        manifest.put("native", Map.of("backend", NativeBackend.backendName(), "onednn", NativeBackend.oneDnnAvailable(),
                "platform_extension", String.valueOf(System.getProperty(NativeBackend.PLATFORM_EXTENSION_PROPERTY))));
        manifest.put("git_commit", BuildInfo.gitCommit());
    }

    private static Path qualify(Path p, Configuration hadoop) {
        try {
            return p.getFileSystem(hadoop).makeQualified(p);
        } catch (IOException e) {
            throw new BadInputException("Cannot use run directory " + p + ": " + e.getMessage(), e);
        }
    }

    /** Refuses, without changing anything, a run directory that cannot be used as asked. */
    private void checkRunDir(Path runDir, boolean resume, Configuration hadoop) {
        try {
            FileSystem fs = runDir.getFileSystem(hadoop);
            boolean hasRun = RunManifest.exists(runDir, hadoop);
            if (resume && !hasRun) {
                throw new BadInputException("--resume was given but " + runDir + " holds no run (no manifest.json). "
                        + "Start it without --resume, or pass the directory of the run to continue with --run-dir.");
            }
            if (!resume && !settings.overwrite() && (hasRun || (fs.exists(runDir) && fs.listStatus(runDir).length > 0))) {
                throw new BadInputException("Run directory " + runDir + " already exists and is not empty. Continue it with "
                        + "--resume, replace it with --set run.overwrite=true, or choose another --set run.name=NAME.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect run directory " + runDir, e);
        }
    }

    private void prepareRunDir(Path runDir, boolean resume, Configuration hadoop) {
        try {
            FileSystem fs = runDir.getFileSystem(hadoop);
            if (resume) {
                return;
            }
            if (fs.exists(runDir)) {
                fs.delete(runDir, true);
            }
            fs.mkdirs(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run directory " + runDir, e);
        }
    }

    /** Deletes committed snapshot files of {@code variant} that lie beyond {@code step} (for resume). */
    private static void dropRowsAfter(SnapshotLayout layout, String variant, long step, int averagingFrequency,
                                      Configuration hadoop) {
        try {
            for (TableSchema table : SnapshotTables.all()) {
                Path dir = layout.variantDir(table, variant);
                FileSystem fs = dir.getFileSystem(hadoop);
                if (!fs.exists(dir)) {
                    continue;
                }
                for (FileStatus f : fs.listStatus(dir)) {
                    String name = f.getPath().getName();
                    int split = SnapshotLayout.splitOf(name);
                    long driverStep = SnapshotLayout.driverStepOf(name);
                    // a split's file holds steps split*F .. split*F+F-1; resumed training redoes splits from `step` on
                    boolean stale = (split >= 0 && (long) split * averagingFrequency >= step)
                            || (driverStep >= 0 && driverStep > step);
                    if (stale) {
                        fs.delete(f.getPath(), false);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean rows after step " + step, e);
        }
    }
}
