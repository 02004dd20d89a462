package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.run.Manifest;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.ProcessIdentity;
import bnscope.core.run.ResumePolicy;
import bnscope.core.run.RunActivity;
import bnscope.core.run.RunLayout;
import bnscope.core.run.RunLock;
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
import java.util.Optional;
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
    public record Options(boolean resume, String runDirOverride, String master, boolean breakLock) {
        public Options(boolean resume, String runDirOverride, String master) {
            this(resume, runDirOverride, master, false);
        }
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

    /** Which setting named the run directory, for messages about it. */
    private String runDirSource(String override) {
        if (override != null && !override.isBlank()) {
            return "--run-dir " + override;
        }
        String explicit = settings.dir();
        return explicit.isBlank() ? "run.output_dir=" + settings.outputDir() + " (with run.name="
                + settings.name() + ")" : "run.dir=" + explicit;
    }

    public Path run(Options options) {
        Configuration hadoop = new Configuration();
        Path runDir = qualify(runDir(settings, options.runDirOverride()), hadoop);
        checkRunDir(runDir, options.resume(), hadoop);
        List<Variant> variants = settings.train().variants();
        Map<String, Manifest.Change> changes = options.resume() ? resumeChanges(runDir, hadoop) : Map.of();
        Optional<String> notice = options.resume() ? RunActivity.notice(runDir, hadoop) : Optional.empty();

        out.println("bnscope train: " + config.source() + " -> " + runDir);
        boolean existed = exists(runDir, hadoop);
        try (RunLock lock = lock(runDir, options, hadoop)) {
            notice.ifPresent(out::println);
            TrainingData data;
            try {
                // Data is validated before the run directory is changed: bad input leaves nothing behind.
                data = TrainingDataFactory.open(settings, runDir.toString(), hadoop, out);
            } catch (RuntimeException e) {
                lock.close();
                if (!existed) {
                    deleteQuietly(runDir, hadoop);
                }
                throw e;
            }
            prepareRunDir(runDir, options.resume(), hadoop);
            RunManifest manifest = options.resume() ? RunManifest.read(runDir, hadoop) : RunManifest.create(runDir, hadoop);
            List<String> labels = variants.stream().map(Variant::label).toList();
            try {
                describe(manifest, data);
                if (options.resume()) {
                    recordResume(manifest, changes, variants, runDir, hadoop);
                }
                manifest.markRunning();
                train(variants, runDir, manifest, options, hadoop, data);
                lock.verifyHeld();
                manifest.markCompleted();
            } catch (Throwable e) {
                // every failure, checked Spark exceptions included (an unreachable master ends in SparkException)
                throw manifest.recordFailure(e, labels, v -> latestCheckpoint(runDir, v, hadoop));
            }
            out.println("bnscope train: completed; tables under " + runDir);
            return runDir;
        }
    }

    private void train(List<Variant> variants, Path runDir, RunManifest manifest, Options options, Configuration hadoop,
                       TrainingData data) {
        int workers = settings.spark().workers();
        int parallel = Math.min(settings.train().parallelVariants(), variants.size());
        SparkSession spark = SparkSessions.create("bnscope-train-" + settings.name(), options.master(),
                workers * parallel);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        manifest.update(m -> m.spark = Map.of("master", sc.master(), "version", sc.version(), "app_id",
                sc.sc().applicationId(), "default_parallelism", sc.defaultParallelism()));
        SnapshotLayout layout = new SnapshotLayout(runDir);
        SnapshotCommitter committer = SnapshotCommitter.attach(sc.sc(), layout);
        try {
            TestSetEvaluator evaluator = new TestSetEvaluator(data.testSet(), data.classification(), layout, sc.hadoopConfiguration());
            VariantTrainer trainer = new VariantTrainer(sc, data, committer, evaluator, out);
            runVariants(variants, parallel, variant -> trainVariant(variant, trainer, layout, manifest, options.resume(), hadoop));
            committer.discardRemaining();
        } finally {
            sc.sc().removeSparkListener(committer);
        }
    }

    /** The config changes this resume makes; BadInputException for changes a resume may not make. */
    private Map<String, Manifest.Change> resumeChanges(Path runDir, Configuration hadoop) {
        RunManifest recorded = RunManifest.read(runDir, hadoop);
        Map<String, Object> before = recorded.get(m -> m.config);
        if (before == null || before.isEmpty()) {
            throw new BadInputException("The manifest " + recorded.file() + " has no \"config\" section, so --resume cannot "
                    + "check that it continues the same run. Start a new run instead (without --resume).");
        }
        return ResumePolicy.check(recorded.file().toString(), before, ManifestFile.asRecorded(config.asMap()));
    }

    private void recordResume(RunManifest manifest, Map<String, Manifest.Change> changes, List<Variant> variants, Path runDir,
                              Configuration hadoop) {
        Manifest.Resume resume = new Manifest.Resume();
        resume.at = Instant.now().toString();
        resume.by = ProcessIdentity.current();
        resume.changed.putAll(changes);
        for (Variant v : variants) {
            boolean done = Manifest.COMPLETED.equals(manifest.variantStatus(v.label())) && !changes.containsKey(ResumePolicy.STEPS);
            Long step = latestCheckpoint(runDir, v.label(), hadoop);
            resume.fromStep.put(v.label(), done ? null : step == null ? 0L : step);
        }
        resume.fromStep.values().removeIf(java.util.Objects::isNull);
        if (!changes.isEmpty()) {
            out.println("bnscope train: resuming with changed " + changes.keySet() + " (recorded in the manifest's resumes)");
        }
        manifest.update(m -> m.addResume(resume));
    }

    private RunLock lock(Path runDir, Options options, Configuration hadoop) {
        String command = "train" + (options.resume() ? " --resume" : "") + " " + config.source();
        try {
            return RunLock.acquire(runDir, hadoop, command, options.breakLock(), out);
        } catch (IOException e) {
            throw new BadInputException("Cannot write into the run directory " + runDir + " (named by "
                    + runDirSource(options.runDirOverride()) + "): " + e.getMessage() + ". Choose a location you can write, "
                    + "e.g. --set run.output_dir=runs, or --run-dir DIR.", e);
        }
    }

    /** The newest checkpoint's step of {@code variant}, or null when it has none. */
    private static Long latestCheckpoint(Path runDir, String variant, Configuration hadoop) {
        try {
            OptionalLong s = new Checkpoints(runDir, variant, hadoop).latestStep();
            return s.isPresent() ? s.getAsLong() : null;
        } catch (RuntimeException e) {
            return null;
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
        Long trained = manifest.get(m -> m.variants.containsKey(variant.label()) ? m.variant(variant.label()).steps : null);
        if (resume && Manifest.COMPLETED.equals(manifest.variantStatus(variant.label()))
                && trained != null && trained >= settings.train().steps()) {
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
        manifest.updateVariant(variant.label(), v -> {
            v.status = Manifest.RUNNING;
            v.parameters = net.numParams();
            v.layerHelpers = new LinkedHashMap<>(helpers);
            v.startedAt = Instant.now().toString();
            v.resumeStep = null;
            v.finishedAt = null;
        });
        out.printf("[%s] %d parameters; layer helpers: %s%n", variant.label(), net.numParams(),
                helpers.isEmpty() ? "none needed" : helpers.values().stream().distinct().toList());

        VariantTrainer.Plan plan = new VariantTrainer.Plan(settings, variant.label(), layout);
        VariantTrainer.Outcome outcome = trainer.train(net, startStep, plan, checkpoints);

        manifest.updateVariant(variant.label(), v -> {
            v.status = Manifest.COMPLETED;
            v.steps = (long) outcome.steps();
            v.finalTrainLoss = outcome.lastTrainLoss();
            if (outcome.lastTest() != null) {
                v.finalTestLoss = outcome.lastTest().loss();
                v.finalTestAccuracy = outcome.lastTest().accuracy();
            }
            v.trainSeconds = outcome.seconds();
            v.finishedAt = Instant.now().toString();
        });
    }

    private void describe(RunManifest manifest, TrainingData data) {
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("run_seed", settings.seed());
        seeds.put("derivation", "network init = run.seed; data order = run.seed; noisy BN draw = hash(run.seed, layer, step); "
                + "activation samples = hash(run.seed, step, layer, unit); Spark data split = run.seed");
        manifest.update(m -> {
            m.runId = settings.name();
            if (m.createdAt == null) {
                m.createdAt = Instant.now().toString();
            }
            m.startedAt = Instant.now().toString();
            m.status = Manifest.RUNNING;
            m.configSource = config.source();
            m.config = ManifestFile.asRecorded(config.asMap());
            m.seeds = seeds;
            m.data = ManifestFile.asRecorded(data.describe());
            m.decisions = ManifestFile.asRecorded(Networks.decisions(settings.model()));
            m.versions = new LinkedHashMap<>(BuildInfo.versions());
            m.nativeBackend = Map.of("backend", NativeBackend.backendName(), "onednn", NativeBackend.oneDnnAvailable(),
                    "platform_extension", String.valueOf(System.getProperty(NativeBackend.PLATFORM_EXTENSION_PROPERTY)));
            m.gitCommit = BuildInfo.gitCommit();
        });
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
            // an overwritten run: everything but the lock this command holds
            for (FileStatus f : fs.listStatus(runDir)) {
                if (!f.getPath().getName().equals(RunLayout.LOCK)) {
                    fs.delete(f.getPath(), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run directory " + runDir, e);
        }
    }

    private static boolean exists(Path p, Configuration hadoop) {
        try {
            return p.getFileSystem(hadoop).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + p, e);
        }
    }

    private static void deleteQuietly(Path p, Configuration hadoop) {
        try {
            p.getFileSystem(hadoop).delete(p, true);
        } catch (IOException e) {
            // left behind: an empty directory, reported by nothing else
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
