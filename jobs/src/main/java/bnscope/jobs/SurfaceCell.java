package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunSettings;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/**
 * The grid cell (variant, learning rate, seed) a surface is computed for, chosen with --variant,
 * --lr and --seed among the cells the run recorded (a run without a grid is one cell per variant:
 * train.learning_rate, run.seed), and the cell's checkpoint at a step.
 */
final class SurfaceCell {
    private SurfaceCell() {
    }

    /** The cell the options name; --lr and --seed may be left out when the run has one value of them. */
    static GridCell select(RunSettings settings, Path runDir, Variant variant, Double lr, Long seed) {
        List<GridCell> cells = settings.cells().stream().filter(c -> c.variant() == variant).toList();
        List<Double> rates = cells.stream().map(GridCell::learningRate).distinct().toList();
        List<Long> seeds = cells.stream().map(GridCell::seed).distinct().toList();
        if (lr == null && rates.size() > 1 || seed == null && seeds.size() > 1) {
            throw new BadInputException("Run " + runDir + " trained " + variant.label() + " at learning rates " + rates + " and seeds "
                    + seeds + "; choose the cell with --lr and --seed (e.g. --lr " + rates.get(0) + " --seed " + seeds.get(0) + ").");
        }
        double rate = lr != null ? lr : rates.get(0);
        long s = seed != null ? seed : seeds.get(0);
        return cells.stream().filter(c -> c.learningRate() == rate && c.seed() == s).findFirst()
                .orElseThrow(() -> new BadInputException("Run " + runDir + " has no cell " + variant.label() + " at --lr " + rate
                        + " --seed " + s + "; its " + variant.label() + " cells are at learning rates " + rates + " and seeds " + seeds
                        + " (train.learning_rates, train.seeds). Pass one of them."));
    }

    /** The cell's checkpoint of {@code step}; a step without one is bad input naming the steps that have one. */
    static MultiLayerNetwork checkpoint(Path runDir, GridCell cell, long step, Configuration hadoop) {
        Checkpoints checkpoints = new Checkpoints(runDir, cell.id(), hadoop);
        List<Long> steps = checkpoints.steps();
        if (!steps.contains(step)) {
            throw new BadInputException("No checkpoint of step " + step + " for cell " + cell.id() + " in "
                    + checkpoints.directory() + "; " + (steps.isEmpty() ? "it has none (the run wrote no checkpoint yet)"
                    : "checkpoints exist at steps " + steps) + ". Training keeps the newest two (train.checkpoint_every, and "
                    + "always the last step); pass --step with one of them.");
        }
        return checkpoints.read(step, "choose another step");
    }
}
