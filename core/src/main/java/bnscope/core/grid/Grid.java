package bnscope.core.grid;

import bnscope.core.config.TrainSettings;
import bnscope.core.models.Variant;

import java.util.ArrayList;
import java.util.List;

/**
 * The cells of an experiment grid: every variant at every learning rate from every seed. A run
 * without {@code train.learning_rates} and {@code train.seeds} is a grid of one learning rate and
 * one seed ({@code train.learning_rate}, {@code run.seed}).
 */
public final class Grid {
    private Grid() {
    }

    /**
     * The cells in training order: seed by seed, learning rate by learning rate, the variants of
     * one (learning rate, seed) side by side, so the cells a comparison needs finish close together.
     */
    public static List<GridCell> cells(TrainSettings train, long runSeed) {
        List<GridCell> cells = new ArrayList<>();
        for (long seed : train.gridSeeds(runSeed)) {
            for (double rate : train.gridLearningRates()) {
                for (Variant variant : train.variants()) {
                    cells.add(new GridCell(variant, rate, seed));
                }
            }
        }
        return List.copyOf(cells);
    }
}
