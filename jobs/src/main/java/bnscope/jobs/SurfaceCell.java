package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunSettings;
import bnscope.core.models.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * The experiment cell (learning rate, seed) a surface is computed for, chosen with --lr and --seed,
 * and its checkpoint at a step. A run without a grid is one cell: (train.learning_rate, run.seed).
 */
record SurfaceCell(double learningRate, long seed) {

    /** The cell --lr/--seed name (null: the run's only value), checked against the run's cells. */
    static SurfaceCell select(RunSettings settings, Path runDir, Double lr, Long seed) {
        double runLr = settings.train().learningRate();
        long runSeed = settings.seed();
        if (lr != null && lr != runLr) {
            throw new BadInputException("run " + runDir + " trained learning rate " + runLr + " only (train.learning_rate); "
                    + "--lr " + lr + " names no cell of it. Leave --lr out or pass --lr " + runLr + ".");
        }
        if (seed != null && seed != runSeed) {
            throw new BadInputException("run " + runDir + " trained seed " + runSeed + " only (run.seed); --seed " + seed
                    + " names no cell of it. Leave --seed out or pass --seed " + runSeed + ".");
        }
        return new SurfaceCell(runLr, runSeed);
    }

    /** The settings the cell trained with (its initial weights are rebuilt from them). */
    RunSettings settings(RunSettings run) {
        return run;
    }

    /** How the manifest names the cell's surfaces. */
    String label(String variant) {
        return variant + ",lr=" + learningRate + ",seed=" + seed;
    }

    /** The cell's checkpoint of {@code step}; a step without one is bad input naming the steps that have one. */
    MultiLayerNetwork checkpoint(Path runDir, Variant variant, long step, Configuration hadoop) {
        Checkpoints checkpoints = new Checkpoints(runDir, variant.label(), hadoop);
        List<Long> steps = checkpoints.steps();
        if (!steps.contains(step)) {
            throw new BadInputException("no checkpoint of step " + step + " for " + label(variant.label()) + " in "
                    + checkpoints.directory() + "; " + (steps.isEmpty() ? "it has none (the run wrote no checkpoint yet)"
                    : "checkpoints exist at steps " + steps) + ". Training keeps the newest two (train.checkpoint_every, and "
                    + "always the last step); pass --step with one of them.");
        }
        try {
            return checkpoints.load(step);
        } catch (RuntimeException e) {
            throw new BadInputException("cannot read the checkpoint of step " + step + " in " + checkpoints.directory()
                    + " (" + e.getMessage() + "). It is a DL4J ModelSerializer zip written by the training job; if it was "
                    + "damaged, re-run the training or choose another step.", e);
        }
    }
}
