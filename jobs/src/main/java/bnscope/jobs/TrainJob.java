package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Networks;
import bnscope.core.run.Manifest;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.RunActivity;
import bnscope.core.run.RunLock;
import bnscope.core.runtime.NativeBackend;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training job: validates config and data, then trains every cell of the run's experiment grid
 * (variant × learning rate × seed; a run without a grid is a grid of one) on Spark
 * ({@link GridTrainer}: cells as concurrent Spark jobs, parameter averaging within a cell), with
 * probes on the executors, test evaluation and checkpoints on the driver, and the run manifest kept
 * current. Entry point: {@code ./submit.sh train CONF}.
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

    public Path run(Options options) {
        Configuration hadoop = new Configuration();
        TrainRunDirectory dir = TrainRunDirectory.of(settings, options.runDirOverride(), hadoop);
        Path runDir = dir.path();
        dir.check(options.resume(), settings.overwrite());
        List<GridCell> cells = settings.cells();
        Map<String, Manifest.Change> changes = options.resume() ? GridResume.changes(runDir, config, hadoop) : Map.of();
        Optional<String> notice = options.resume() ? RunActivity.notice(runDir, hadoop) : Optional.empty();

        out.println("bnscope train: " + config.source() + " -> " + runDir);
        boolean existed = dir.exists();
        try (RunLock lock = lock(dir, options, hadoop)) {
            notice.ifPresent(out::println);
            TrainingData data;
            try {
                // Data is validated before the run directory is changed: bad input leaves nothing behind.
                data = TrainingDataFactory.open(settings, runDir.toString(), hadoop, out);
            } catch (RuntimeException e) {
                lock.close();
                if (!existed) {
                    dir.deleteQuietly();
                }
                throw e;
            }
            dir.prepare(options.resume());
            RunManifest manifest = options.resume() ? RunManifest.read(runDir, hadoop) : RunManifest.create(runDir, hadoop);
            List<String> ids = cells.stream().map(GridCell::id).toList();
            try {
                describe(manifest, data, cells);
                if (options.resume()) {
                    GridResume.record(manifest, changes, cells, runDir, hadoop, out);
                }
                manifest.markRunning();
                new GridTrainer(settings, out).train(cells, runDir, manifest, options, hadoop, data);
                lock.verifyHeld();
                manifest.markCompleted();
            } catch (Throwable e) {
                // every failure, checked Spark exceptions included (an unreachable master ends in SparkException)
                throw manifest.recordFailure(e, ids, id -> Checkpoints.latestStep(runDir, id, hadoop));
            }
            out.println("bnscope train: completed; tables under " + runDir);
            return runDir;
        }
    }

    private RunLock lock(TrainRunDirectory dir, Options options, Configuration hadoop) {
        String command = "train" + (options.resume() ? " --resume" : "") + " " + config.source();
        try {
            return RunLock.acquire(dir.path(), hadoop, command, options.breakLock(), out);
        } catch (IOException e) {
            throw new BadInputException("Cannot write into the run directory " + dir.path() + " (named by "
                    + dir.source() + "): " + e.getMessage() + ". Choose a location you can write, "
                    + "e.g. --set run.output_dir=runs, or --run-dir DIR.", e);
        }
    }

    private void describe(RunManifest manifest, TrainingData data, List<GridCell> cells) {
        Map<String, Object> seeds = new LinkedHashMap<>();
        seeds.put("run_seed", settings.seed());
        seeds.put("cell_seeds", settings.train().gridSeeds(settings.seed()));
        seeds.put("derivation", "each grid cell uses its own seed (train.seeds; run.seed for a grid of one): network init = seed; "
                + "data order = seed; noisy BN draw = hash(seed, layer, step); activation samples = hash(seed, step, layer, unit); "
                + "Spark data split = seed");
        int batch = settings.train().batchSize();
        int workers = settings.spark().workers();
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
            for (GridCell cell : cells) {
                Manifest.Cell c = m.cell(cell.id());
                c.variant = cell.variant().label();
                c.learningRate = cell.learningRate();
                c.seed = cell.seed();
                c.batchnormBatch = batchNormBatch(cell, batch, workers);
                if (c.status == null) {
                    c.status = Manifest.PENDING;
                }
            }
        });
    }

    /** Over how many examples the cell's normalization layers compute their batch statistics (the manifest's batchnorm_batch). */
    static Map<String, Object> batchNormBatch(GridCell cell, int batchSize, int workers) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("examples", batchSize / workers);
        b.put("minibatch", batchSize);
        b.put("ghost_batch", workers > 1);
        b.put("note", !cell.variant().normalizes() ? "no normalization layers"
                : workers > 1 ? "ghost batch: each of the " + workers + " workers normalizes over its own " + batchSize / workers
                + " examples, not the paper's whole minibatch of " + batchSize
                : "the whole minibatch of " + batchSize + ", as in the paper");
        return b;
    }
}
