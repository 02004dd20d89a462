package bnscope.core.models;

import bnscope.core.config.Labels;

import java.util.Set;

/**
 * How a network's layers run (config key {@code model.implementation}); both compute the same
 * function with the same parameters, so runs stay comparable:
 * <ul>
 *   <li>{@link #FUSED}: the VGG stack keeps its activations channels-last (NHWC, the layout oneDNN's
 *       convolutions run in) from the first conv to the first dense layer, each convolution keeps
 *       its forward pre-activation for its backprop, and BatchNorm and noisy BatchNorm run as fused
 *       kernels ({@link bnscope.core.layers.FusedBatchNormalization}). Issue 15's fast path.</li>
 *   <li>{@link #DL4J}: DL4J's own layers in NCHW, as bnscope ran before issue 15; the reference the
 *       fused path is tested against.</li>
 * </ul>
 */
public enum Implementation {
    FUSED("fused"),
    DL4J("dl4j");

    private final String label;

    Implementation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The constant called {@code name} (its {@link #label()}, case-insensitive). */
    public static Implementation fromName(String name) {
        return Labels.byLabel(values(), Implementation::label, name, "model.implementation");
    }

    /** Every label: the values model.implementation accepts. */
    public static Set<String> labels() {
        return Labels.of(values(), Implementation::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
