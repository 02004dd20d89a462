package bnscope.jobs;

import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Networks;
import bnscope.core.run.Manifest;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One grid cell's part of a training run, from where it starts to its manifest record: a finished
 * cell is skipped on {@code --resume}, a partial one continues from its newest checkpoint (rows past
 * it are deleted first, so every (cell, worker, step, layer) key is written exactly once), a new one
 * starts from a network initialized from the cell's seed. Safe to call for several cells at once.
 */
final class CellRun {
    private final RunSettings run;
    private final CellTrainer trainer;
    private final SnapshotLayout layout;
    private final RunManifest manifest;
    private final TrainingData data;
    private final boolean resume;
    private final GridProgress progress;
    private final Configuration hadoop;
    private final PrintStream out;

    CellRun(RunSettings run, CellTrainer trainer, SnapshotLayout layout, RunManifest manifest, TrainingData data, boolean resume,
            GridProgress progress, Configuration hadoop, PrintStream out) {
        this.run = run;
        this.trainer = trainer;
        this.layout = layout;
        this.manifest = manifest;
        this.data = data;
        this.resume = resume;
        this.progress = progress;
        this.hadoop = hadoop;
        this.out = out;
    }

    /** On --resume: whether {@code cell} already completed all of train.steps (then it is counted done and not trained). */
    boolean skipIfFinished(GridCell cell) {
        Long trained = manifest.get(m -> m.cells.containsKey(cell.id()) ? m.cell(cell.id()).steps : null);
        boolean finished = resume && Manifest.COMPLETED.equals(manifest.cellStatus(cell.id()))
                && trained != null && trained >= run.train().steps();
        if (finished) {
            out.println("[" + cell.id() + "] already completed; skipping (resume)");
            progress.alreadyDone(cell);
        }
        return finished;
    }

    /** Trains {@code cell} to train.steps and records it in the manifest. */
    void train(GridCell cell) {
        RunSettings settings = run.forCell(cell);
        Checkpoints checkpoints = new Checkpoints(layout.runDir(), cell.id(), hadoop);
        MultiLayerNetwork net;
        long startStep = 0;
        OptionalLong latest = resume ? checkpoints.latestStep() : OptionalLong.empty();
        if (latest.isPresent()) {
            startStep = latest.getAsLong();
            net = checkpoints.load(startStep);
            out.println("[" + cell.id() + "] resuming from checkpoint at step " + startStep);
        } else {
            net = Networks.build(settings, cell.variant());
        }
        net.setIterationCount((int) startStep);
        // Rows past the resume point were written by the stopped run; they are recomputed, not duplicated.
        dropRowsAfter(cell, startStep, settings.spark().averagingFrequency());

        Map<String, String> helpers = NativeBackend.layerHelpers(net);
        long from = startStep;
        manifest.updateCell(cell.id(), c -> {
            c.status = Manifest.RUNNING;
            c.parameters = net.numParams();
            c.layerHelpers = new LinkedHashMap<>(helpers);
            c.startedAt = Instant.now().toString();
            c.stepsDone = from;
            c.resumeStep = null;
            c.finishedAt = null;
        });
        out.printf("[%s] %d parameters; layer helpers: %s%n", cell.id(), net.numParams(),
                helpers.isEmpty() ? "none needed" : helpers.values().stream().distinct().toList());
        progress.started(cell, startStep);

        CellTrainer.Plan plan = new CellTrainer.Plan(settings, cell, data.withSeed(cell.seed()), layout);
        CellTrainer.Outcome outcome;
        try {
            outcome = trainer.train(net, startStep, plan, checkpoints, done -> {
                manifest.updateCell(cell.id(), c -> c.stepsDone = done);
                progress.advanced(cell, done);
            });
        } catch (RuntimeException e) {
            progress.stopped(cell);
            throw e;
        }

        manifest.updateCell(cell.id(), c -> {
            c.status = Manifest.COMPLETED;
            c.steps = outcome.steps();
            c.stepsDone = outcome.steps();
            c.finalTrainLoss = outcome.lastTrainLoss();
            if (outcome.lastTest() != null) {
                c.finalTestLoss = outcome.lastTest().loss();
                c.finalTestAccuracy = outcome.lastTest().accuracy();
            }
            c.trainSeconds = outcome.seconds();
            c.finishedAt = Instant.now().toString();
        });
        progress.finished(cell);
    }

    /** Deletes committed snapshot files of {@code cell} that lie beyond {@code step} (for resume). */
    private void dropRowsAfter(GridCell cell, long step, int averagingFrequency) {
        try {
            for (TableSchema table : SnapshotTables.all()) {
                Path dir = layout.variantDir(table, cell.variant().label());
                FileSystem fs = dir.getFileSystem(hadoop);
                if (!fs.exists(dir)) {
                    continue;
                }
                for (FileStatus f : fs.listStatus(dir)) {
                    String name = f.getPath().getName();
                    if (!SnapshotLayout.holdsCell(name, cell)) {
                        continue; // another cell of the same variant
                    }
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
            throw new UncheckedIOException("cannot clean rows of " + cell.id() + " after step " + step, e);
        }
    }
}
