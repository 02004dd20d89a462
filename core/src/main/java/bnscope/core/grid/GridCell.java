package bnscope.core.grid;

import bnscope.core.models.Variant;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * One cell of an experiment grid: a network variant trained at one learning rate from one seed
 * (the paper compares variants across learning rates, Fig. 1; seeds make a comparison evidence).
 * Every row a cell writes carries its learning rate and seed beside the variant, and its
 * {@link #id()} names its checkpoint directory and, through {@link #tag()}, its snapshot files.
 *
 * @param variant      the normalization the network uses
 * @param learningRate the SGD step size
 * @param seed         drives the cell's initialization, data order, noise draws and probe samples
 */
public record GridCell(Variant variant, double learningRate, long seed) implements Serializable {
    public GridCell {
        if (variant == null) {
            throw new IllegalArgumentException("a grid cell needs a variant");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("a grid cell's learning rate must be positive and finite, got " + learningRate);
        }
    }

    /** The learning rate as it appears in ids and file names: plain decimal, no trailing zeros (0.1, 0.05, 1). */
    public String learningRateText() {
        return BigDecimal.valueOf(learningRate).stripTrailingZeros().toPlainString();
    }

    /**
     * The cell's place within its variant: {@code lr<rate>-seed<seed>}, e.g. {@code lr0.1-seed1}. Snapshot
     * files sit in the variant's partition directory, so their names need only this part.
     */
    public String tag() {
        return "lr" + learningRateText() + "-seed" + seed;
    }

    /** Stable id of the cell in the run: {@code <variant>-lr<rate>-seed<seed>}, e.g. {@code batchnorm-lr0.1-seed1}. */
    public String id() {
        return variant.label() + "-" + tag();
    }

    @Override
    public String toString() {
        return id();
    }
}
