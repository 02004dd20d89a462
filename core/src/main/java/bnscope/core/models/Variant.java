package bnscope.core.models;

import bnscope.core.BadInputException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which normalization a network puts after each weight layer but the last (paper Sections 2–4):
 * none, BatchNorm, BatchNorm followed by injected distribution noise ("noisy BatchNorm", Section 2.1),
 * or one of the ℓp normalizations of Section 4.2 / Appendix A.
 */
public enum Variant {
    STANDARD("standard"),
    BATCHNORM("batchnorm"),
    NOISY_BATCHNORM("noisy-batchnorm"),
    L1("l1"),
    L2("l2"),
    LINF("linf");

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    /** The name used in run configurations, manifests and tables. */
    public String label() {
        return label;
    }

    /** True when the variant normalizes activations, i.e. weight layers are followed by a norm layer. */
    public boolean normalizes() {
        return this != STANDARD;
    }

    /** The variant called {@code name} (its {@link #label()}, case-insensitive). */
    public static Variant fromName(String name) {
        for (Variant v : values()) {
            if (v.label.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return v;
            }
        }
        String valid = Arrays.stream(values()).map(Variant::label).collect(Collectors.joining(", "));
        throw new BadInputException("Unknown model variant '" + name + "'. Valid variants are: " + valid
                + ". Set the variant key of the run configuration to one of them.");
    }

    @Override
    public String toString() {
        return label;
    }
}
