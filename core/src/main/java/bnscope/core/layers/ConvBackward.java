package bnscope.core.layers;

import bnscope.core.config.Labels;

import java.util.Set;

/**
 * How a {@link FusedConvolution} computes its backward pass (config key {@code model.conv_backward});
 * both give the gradients of the same function, equal up to float rounding:
 * <ul>
 *   <li>{@link #SPLIT} (default): {@link SplitConvolutionBackward}, the input, weight and bias
 *       gradients as three ops, so oneDNN never runs its Winograd backward-data kernel (the largest
 *       single cost of a vgg-mini step on AVX-512 machines; docs/performance.md).</li>
 *   <li>{@link #COMBINED}: libnd4j's one {@code conv2d_bp} through DL4J's oneDNN helper, as every run
 *       before this key existed; a saved layer configuration without the field reads as this one.</li>
 * </ul>
 * Geometries {@link SplitConvolutionBackward} does not cover (stride or dilation other than 1, padding over
 * kernel − 1, DL4J's {@code ConvolutionMode.Same}) run
 * {@link #COMBINED} whatever the key says. {@code model.implementation = dl4j} ignores the key.
 */
public enum ConvBackward {
    SPLIT("split"),
    COMBINED("combined");

    private final String label;

    ConvBackward(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The constant called {@code name} (its {@link #label()}, case-insensitive). */
    public static ConvBackward fromName(String name) {
        return Labels.byLabel(values(), ConvBackward::label, name, "model.conv_backward");
    }

    /** Every label: the values model.conv_backward accepts. */
    public static Set<String> labels() {
        return Labels.of(values(), ConvBackward::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
