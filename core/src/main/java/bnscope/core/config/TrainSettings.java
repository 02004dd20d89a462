package bnscope.core.config;

import bnscope.core.models.Variant;

import java.io.Serializable;
import java.util.List;

/**
 * The {@code train.*} keys: which variants are trained and how (plain SGD).
 *
 * @param variants         train.variants, in the order they are trained
 * @param steps            train.steps: SGD steps per variant
 * @param batchSize        train.batch_size: minibatch size per step over all workers
 * @param learningRate     train.learning_rate
 * @param evalEvery        train.eval_every: test evaluation period in steps; 0 means only at the end
 * @param checkpointEvery  train.checkpoint_every: checkpoint period in steps; 0 means only at the end
 * @param parallelVariants train.parallel_variants: variants trained at the same time
 */
public record TrainSettings(List<Variant> variants, int steps, int batchSize, double learningRate, int evalEvery,
                            int checkpointEvery, int parallelVariants) implements Serializable {
    public TrainSettings {
        variants = List.copyOf(variants);
    }
}
