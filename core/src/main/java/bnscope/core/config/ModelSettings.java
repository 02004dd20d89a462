package bnscope.core.config;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * The {@code model.*} keys with the network parameters they select: the family, the VGG preset or
 * its overrides, the deep linear network's shape and the noisy-BatchNorm noise.
 *
 * @param kind      model.kind
 * @param preset    model.preset (VGG only)
 * @param convStack model.conv_stack: overrides the preset's conv stack; empty means the preset's
 * @param dense     model.dense: overrides the preset's hidden dense sizes; empty means the preset's
 * @param dln       dln.*: the deep linear network (model.kind = dln)
 * @param noise     noise.*: noisy BatchNorm's distribution shift
 * @param implementation model.implementation: fused kernels and channels-last layers, or DL4J's own layers
 * @param convBackward  model.conv_backward: how a fused convolution's backward pass runs
 */
public record ModelSettings(Kind kind, Preset preset, String convStack, List<Integer> dense, DlnSettings dln,
                            NoiseSettings noise, bnscope.core.models.Implementation implementation,
                            bnscope.core.layers.ConvBackward convBackward) implements Serializable {

    /** Network family (model.kind). */
    public enum Kind {
        /** VGG on CIFAR-10 (the paper's Section 2). */
        VGG("vgg"),
        /** The paper's deep linear network on synthetic Gaussian data. */
        DLN("dln");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name used in config files and manifests. */
        public String label() {
            return label;
        }

        public static Kind fromName(String name) {
            return Labels.byLabel(values(), Kind::label, name, "model.kind");
        }

        /** Every label: the values model.kind accepts. */
        public static Set<String> labels() {
            return Labels.of(values(), Kind::label);
        }
    }

    /** VGG preset (model.preset). */
    public enum Preset {
        /** 16,16,M,32,32,M,64,64,M, dense 128, 10: for CPUs. */
        VGG_MINI("vgg-mini"),
        /** 13 conv layers 64..512, dense 512, 512, 10: the paper's scale. */
        VGG16("vgg16");

        private final String label;

        Preset(String label) {
            this.label = label;
        }

        /** The name used in config files and by {@code VggBuilder.preset}. */
        public String label() {
            return label;
        }

        public static Preset fromName(String name) {
            return Labels.byLabel(values(), Preset::label, name, "model.preset");
        }

        /** Every label: the values model.preset accepts. */
        public static Set<String> labels() {
            return Labels.of(values(), Preset::label);
        }
    }

    public ModelSettings {
        dense = List.copyOf(dense);
    }

    public boolean isDln() {
        return kind == Kind.DLN;
    }
}
