package bnscope.core.config;

import java.io.Serializable;

/**
 * The {@code dln.*} keys: the paper's deep linear network (used when model.kind = dln).
 *
 * @param depth   dln.depth: number of linear layers
 * @param width   dln.width: input, hidden and output width
 * @param samples dln.samples: Gaussian samples x ~ N(0, I); training is full-batch over them
 */
public record DlnSettings(int depth, int width, int samples) implements Serializable {
}
