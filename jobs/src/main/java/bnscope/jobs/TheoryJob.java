package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.DriverRows;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.theory.LiveBatchNormChecks;
import bnscope.core.theory.TheoryIdentity;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.RunActivity;
import bnscope.core.run.RunLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./submit.sh theory RUN_DIR}: checks the paper's BatchNorm theory (Fact C.1, Theorem 4.1
 * exact and as printed, Theorem 4.2) on the run's checkpointed BatchNorm networks and the
 * minibatches the run trained on, cell by cell of its grid, and writes the {@code theory_checks} table
 * ({@code RUN/theory_checks/variant=V/driver-CELLTAG-tSTEP.parquet}, one file per cell and checkpoint).
 *
 * <p>For a checkpoint at step s (parameters w_s) the batch is worker 0's minibatch of step s, the
 * one that took w_s to w_s+1 during training (for the last checkpoint, the minibatch the run's data
 * order gives next): the batch the BatchNorm layers normalized over. The data is rebuilt from the
 * manifest's config and checked against the manifest's record of it (same files, record counts
 * and normalization statistics). The arithmetic is in {@link LiveBatchNormChecks}; it runs on the
 * driver and needs no Spark, so {@code --master} is accepted and unused. The run directory may be on
 * any Hadoop file system.
 */
public final class TheoryJob {
    /** Worker whose minibatch is checked: every worker's BatchNorm saw only its own slice. */
    static final int WORKER = 0;
    /** A claimed identity "holds" when its relative error is at most this (default of --tolerance). */
    public static final double DEFAULT_TOLERANCE = 1e-6;
    /**
     * The statements whose failure makes the exit status 1: the paper's printed 1/sqrt(m) form of
     * Theorem 4.1 is documented to fail (docs/theory.md) and is reported, not counted.
     */
    static final Set<TheoryIdentity> CLAIMED = Set.of(TheoryIdentity.FACT_C1, TheoryIdentity.THM41, TheoryIdentity.THM42);

    /**
     * The command-line choices: checkpoint steps (empty: all), units to check, the tolerance of the
     * claimed identities, and whether to take over a stale run lock (--break-lock).
     */
    public record Options(List<Long> steps, LiveBatchNormChecks.Settings settings, double tolerance, boolean breakLock) {
        public Options(List<Long> steps, LiveBatchNormChecks.Settings settings, double tolerance) {
            this(steps, settings, tolerance, false);
        }

        /** These options, taking over a stale run lock when {@code breakLock}. */
        public Options withBreakLock(boolean breakLock) {
            return new Options(steps, settings, tolerance, breakLock);
        }

        /** Checks the values as the user gave them (--units, --hessian-units, --hessian-step, --tolerance). */
        public static Options of(List<Long> steps, int units, int hessianUnits, double hessianStep, double tolerance) {
            LiveBatchNormChecks.Settings d = LiveBatchNormChecks.Settings.defaults();
            if (units < 1 || hessianUnits < 0 || !(hessianStep > 0 && hessianStep < 1) || !(tolerance > 0)) {
                throw new BadInputException("theory: --units must be >= 1 (got " + units + "), --hessian-units >= 0 (got "
                        + hessianUnits + "), --hessian-step in (0, 1) (got " + hessianStep + ") and --tolerance > 0 (got "
                        + tolerance + "). Defaults: --units " + d.units() + " --hessian-units " + d.hessianUnits()
                        + " --hessian-step " + d.hessianStep() + " --tolerance " + DEFAULT_TOLERANCE + ".");
            }
            return new Options(List.copyOf(steps), new LiveBatchNormChecks.Settings(units, hessianUnits, hessianStep), tolerance);
        }

        /** Every checkpoint, the default units and tolerance. */
        public static Options defaults() {
            LiveBatchNormChecks.Settings d = LiveBatchNormChecks.Settings.defaults();
            return of(List.of(), d.units(), d.hessianUnits(), d.hessianStep(), DEFAULT_TOLERANCE);
        }
    }

    private final Options options;
    private final PrintStream out;

    public TheoryJob(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Runs the job on {@code runDir}; returns the process exit status: 0, or 1 when a claimed
     * identity ({@link #CLAIMED}) misses the tolerance on some unit (the rows are written either way).
     */
    public static int run(String runDir, Options options, PrintStream out) {
        return TheorySummary.status(new TheoryJob(options, out).run(runDir), options.tolerance(), out);
    }

    /** Checks every grid cell of a BatchNorm variant (holding the run's lock); returns every row written. */
    public List<Row> run(String runDirName) {
        Configuration hadoop = new Configuration();
        Path runDir = RecordedRun.existingRunDir(runDirName, hadoop);
        RunActivity.notice(runDir, hadoop).ifPresent(out::println);
        RunLock lock = RecordedRun.lock(runDir, hadoop, "theory " + runDirName, options.breakLock(), out, "theory");
        try (lock) {
            return check(runDir, hadoop);
        }
    }

    private List<Row> check(Path runDir, Configuration hadoop) {
        RunManifest manifest = RunManifest.read(runDir, hadoop);
        RunConfig config = RecordedRun.configOf(manifest, runDir);
        RunSettings recorded = RunSettings.from(config);
        List<Variant> variants = batchNormVariants(recorded, runDir);

        Map<GridCell, List<Long>> work = new LinkedHashMap<>();
        for (GridCell cell : recorded.cells()) {
            if (!variants.contains(cell.variant())) {
                continue;
            }
            Checkpoints checkpoints = new Checkpoints(runDir, cell.id(), hadoop);
            List<Long> steps = selectSteps(checkpoints.steps());
            if (steps.isEmpty()) {
                out.println("theory: [" + cell.id() + "] no checkpoints in " + checkpoints.directory() + "; skipped");
            } else {
                work.put(cell, steps);
            }
        }
        if (work.isEmpty()) {
            throw new BadInputException("No checkpoints of the BatchNorm variants " + variants.stream().map(Variant::label).toList()
                    + " under " + new bnscope.core.run.RunLayout(runDir).checkpoints() + (options.steps().isEmpty() ? "" : " at steps " + options.steps())
                    + ". The theory job checks checkpointed networks (train.checkpoint_every, and always the last step; the "
                    + "newest two are kept). Let the training finish, or pass steps that exist.");
        }
        long maxStep = work.values().stream().flatMap(List::stream).mapToLong(Long::longValue).max().orElseThrow();
        TrainingData data = RecordedRun.reopenData(config, manifest, runDir, maxStep, hadoop, out, "theory");

        String runId = String.valueOf((Object) manifest.get(m -> m.runId));
        SnapshotLayout layout = new SnapshotLayout(runDir);
        LiveBatchNormChecks.Settings settings = options.settings();
        out.printf("theory: %s; units per BatchNorm layer: first %d (all of layers with <= %d), Theorem 4.2 on the first %d, "
                        + "relative difference step %.0e; batch: worker %d's minibatch of each checkpoint's step%n",
                runDir, settings.units(), LiveBatchNormChecks.SMALL_LAYER_UNITS, settings.hessianUnits(),
                settings.hessianStep(), WORKER);
        List<Row> rows = new ArrayList<>();
        List<Map<String, Object>> checked = new ArrayList<>();
        for (Map.Entry<GridCell, List<Long>> e : work.entrySet()) {
            GridCell cell = e.getKey();
            Checkpoints checkpoints = new Checkpoints(runDir, cell.id(), hadoop);
            // the cell's minibatches: the run's data in the order of the cell's seed
            TrainingData cellData = data.withSeed(cell.seed());
            for (long step : e.getValue()) {
                long t0 = System.nanoTime();
                MultiLayerNetwork net = checkpoints.read(step, "choose another step with --steps");
                LiveBatchNormChecks live = new LiveBatchNormChecks(net, Math.toIntExact(step));
                DataSet batch = cellData.minibatch(step, WORKER);
                LiveBatchNormChecks.Outcome outcome = live.check(batch, settings);
                StepKey key = StepKey.driver(runId, cell, step);
                List<Row> written = write(layout, key, outcome, options.tolerance(), hadoop);
                rows.addAll(written);
                double seconds = (System.nanoTime() - t0) / 1e9;
                out.printf("theory: [%s] step %d: %d BatchNorm layers, %d rows (%d Theorem 4.2) in %.1fs%n", cell.id(),
                        step, live.sites().size(), written.size(),
                        written.stream().filter(r -> r.identity() == TheoryIdentity.THM42).count(), seconds);
                for (String s : outcome.skipped()) {
                    out.println("theory:   skipped " + s);
                }
                checked.add(Map.of("cell", cell.id(), "variant", cell.variant().label(), "learning_rate", cell.learningRate(),
                        "seed", cell.seed(), "step", step, "rows", written.size(), "skipped", outcome.skipped(), "seconds", seconds));
            }
        }
        record(manifest, checked);
        out.print(TheorySummary.summary(rows, options.tolerance()));
        return rows;
    }

    /** One theory_checks row as written; {@code cell} is the grid cell's id (e.g. batchnorm-lr0.1-seed42). */
    public record Row(String cell, long step, int layer, String layerName, int unit, TheoryIdentity identity,
                      double lhs, double rhs, double relError, boolean holds) {
    }

    private List<Variant> batchNormVariants(RunSettings settings, Path runDir) {
        List<Variant> all = settings.train().variants();
        List<Variant> bn = all.stream().filter(v -> v == Variant.BATCHNORM || v == Variant.NOISY_BATCHNORM).toList();
        boolean dln = settings.model().isDln();
        for (Variant v : all) {
            if (!bn.contains(v)) {
                out.println("theory: [" + v.label() + "] has no BatchNorm; skipped");
            }
        }
        if (bn.isEmpty()) {
            throw new BadInputException("Run " + runDir + " trained " + all.stream().map(Variant::label).toList()
                    + (dln ? " on the deep linear network" : "") + ": no BatchNorm variant, so there is nothing for the "
                    + "BatchNorm theory to check. " + (dln ? "The paper states its BatchNorm theory (Section 4) for BatchNorm "
                    + "networks and applies none of it to the DLN; a DLN run with train.variants including batchnorm is "
                    + "checked on its dense units. " : "")
                    + "Pass a run whose train.variants include batchnorm or noisy-batchnorm.");
        }
        return bn;
    }

    private List<Long> selectSteps(List<Long> available) {
        if (options.steps().isEmpty()) {
            return available;
        }
        return available.stream().filter(options.steps()::contains).toList();
    }

    /** Writes one checkpoint's rows (staged, then renamed into place: a re-run replaces the file). */
    private static List<Row> write(SnapshotLayout layout, StepKey key, LiveBatchNormChecks.Outcome outcome, double tolerance,
                                   Configuration hadoop) {
        List<Row> rows = new ArrayList<>();
        List<org.apache.avro.generic.GenericRecord> records = new ArrayList<>();
        for (LiveBatchNormChecks.UnitCheck c : outcome.checks()) {
            records.add(key.startRow(SnapshotTables.THEORY_CHECKS)
                    .set("layer", c.site().layer()).set("layer_name", c.site().layerName()).set("unit", c.unit())
                    .set("identity", c.identity().tableName()).set("lhs", c.check().lhs()).set("rhs", c.check().rhs())
                    .set("rel_error", c.check().relativeError()).build());
            rows.add(new Row(key.cell().id(), key.step(), c.site().layer(), c.site().layerName(), c.unit(), c.identity(),
                    c.check().lhs(), c.check().rhs(), c.check().relativeError(), c.check().holds(tolerance)));
        }
        DriverRows.commit(layout, SnapshotTables.THEORY_CHECKS, key.cell(), key.step(), records, hadoop);
        return rows;
    }

    private void record(RunManifest manifest, List<Map<String, Object>> checked) {
        LiveBatchNormChecks.Settings s = options.settings();
        Map<String, Object> theory = new LinkedHashMap<>();
        theory.put("checked_at", Instant.now().toString());
        theory.put("batch", "worker " + WORKER + "'s training minibatch of each checkpoint's step (data re-read and checked "
                + "against this manifest)");
        theory.put("network", "checkpoint converted to double precision; BatchNorm eps set to " + LiveBatchNormChecks.BATCHNORM_EPS
                + " (population sigma without eps); iteration pinned to the step (noisy-BN draws repeat)");
        theory.put("units", "first " + s.units() + " units of each BatchNorm layer (all of layers with <= "
                + LiveBatchNormChecks.SMALL_LAYER_UNITS + " units); Theorem 4.2 on the first " + s.hessianUnits());
        theory.put("hessian", "central differences of dL/dz and dL/dy along G = dL/dy through the live network, relative step "
                + s.hessianStep() + " (of sigma in y, |gamma| in z)");
        theory.put("tolerance", options.tolerance());
        theory.put("checked", checked);
        manifest.update(m -> m.theory = ManifestFile.asRecorded(theory));
    }
}
