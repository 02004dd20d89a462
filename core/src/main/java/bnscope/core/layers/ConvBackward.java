package bnscope.core.layers;

import bnscope.core.config.Labels;

import java.util.Set;

/**
 * How a {@link FusedConvolution} computes its backward pass (config key {@code model.conv_backward});
 * all three give the gradients of the same function, equal up to float rounding:
 * <ul>
 *   <li>{@link #AUTO} (default): {@link #SPLIT} on layers whose feature maps have at least
 *       {@link #AUTO_MIN_POSITIONS} positions (32×32 and larger: there the split pass took 6–13 ms
 *       where conv2d_bp took 23–27 ms, one thread, batch 128), {@link #COMBINED} on smaller ones
 *       (16×16 and 8×8: conv2d_bp 7–8 ms, the split pass 5–10 ms, its weight-gradient op costing
 *       about the same whatever the size). A rule on the layer's geometry only, so a run's numbers
 *       do not depend on timings.</li>
 *   <li>{@link #SPLIT}: {@link SplitConvolutionBackward} on every layer, the input, weight and bias
 *       gradients as three ops, so oneDNN never runs its Winograd backward-data kernel (the largest
 *       single cost of a vgg-mini step on AVX-512 machines; docs/performance.md).</li>
 *   <li>{@link #COMBINED}: libnd4j's one {@code conv2d_bp} through DL4J's oneDNN helper, as every run
 *       before this key existed; a saved layer configuration without the field reads as this one.</li>
 * </ul>
 * Geometries {@link SplitConvolutionBackward} does not cover (stride or dilation other than 1, padding
 * over kernel − 1, DL4J's {@code ConvolutionMode.Same}) run {@link #COMBINED} whatever the key says. {@code model.implementation = dl4j} ignores the key.
 */
public enum ConvBackward {
    AUTO("auto"),
    SPLIT("split"),
    COMBINED("combined");

    /** {@link #AUTO}'s threshold: output positions (height × width) from which a layer runs {@link #SPLIT}. */
    public static final long AUTO_MIN_POSITIONS = 32 * 32;

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

    /** Whether a layer with {@code positions} output positions (height × width) runs the split pass. */
    public boolean splits(long positions) {
        return this == SPLIT || (this == AUTO && positions >= AUTO_MIN_POSITIONS);
    }

    @Override
    public String toString() {
        return label;
    }
}
