package bnscope.core.config;

import bnscope.core.models.Variant;

import java.io.Serializable;
import java.util.List;

/**
 * The {@code train.*} keys: which grid cells are trained and how (plain SGD).
 *
 * @param variants        train.variants, in the order they are trained
 * @param steps           train.steps: SGD steps per cell
 * @param batchSize       train.batch_size: minibatch size per step over all workers
 * @param learningRate    train.learning_rate: the learning rate of a run without train.learning_rates
 * @param evalEvery       train.eval_every: test evaluation period in steps; 0 means only at the end
 * @param checkpointEvery train.checkpoint_every: checkpoint period in steps; 0 means only at the end
 * @param learningRates   train.learning_rates: the grid's learning rates; empty means [learningRate]
 * @param seeds           train.seeds: the grid's seeds; empty means [run.seed]
 * @param parallelCells   train.parallel_cells (or the deprecated train.parallel_variants): cells trained at
 *                        the same time; 0 means fill the cores
 */
public record TrainSettings(List<Variant> variants, int steps, int batchSize, double learningRate, int evalEvery,
                            int checkpointEvery, List<Double> learningRates, List<Long> seeds, int parallelCells)
        implements Serializable {
    public TrainSettings {
        variants = List.copyOf(variants);
        learningRates = List.copyOf(learningRates);
        seeds = List.copyOf(seeds);
    }

    /** The grid's learning rates: train.learning_rates, or train.learning_rate alone. */
    public List<Double> gridLearningRates() {
        return learningRates.isEmpty() ? List.of(learningRate) : learningRates;
    }

    /** The grid's seeds: train.seeds, or {@code runSeed} (run.seed) alone. */
    public List<Long> gridSeeds(long runSeed) {
        return seeds.isEmpty() ? List.of(runSeed) : seeds;
    }

    /** These settings with one learning rate: what a single cell trains with. */
    public TrainSettings forLearningRate(double rate) {
        return new TrainSettings(variants, steps, batchSize, rate, evalEvery, checkpointEvery, List.of(), List.of(), parallelCells);
    }
}
