package bnscope.core.layers;

import bnscope.core.config.Labels;

import java.util.Set;

/**
 * Which random stream noisy BatchNorm draws its distribution shift from (config key
 * {@code noise.generator}); the draws are part of a run's protocol, so the choice is recorded.
 * <ul>
 *   <li>{@link #SPLITMIX} (default since issue 15): {@link SplitMixNoise}, SplitMix64 and a ziggurat in
 *       Java, drawn and applied in one pass; defined in full by bnscope's code.</li>
 *   <li>{@link #ND4J}: libnd4j's native generator through ND4J's Uniform/Gaussian ops
 *       ({@link DistributionShift#fill}), the stream of every noisy run before issue 15; a layer
 *       configuration saved without a generator reads as this one.</li>
 * </ul>
 * Both draw from the same distributions and are pure functions of (seed, layer index, iteration).
 */
public enum NoiseGenerator {
    SPLITMIX("splitmix"),
    ND4J("nd4j");

    private final String label;

    NoiseGenerator(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The constant called {@code name} (its {@link #label()}, case-insensitive). */
    public static NoiseGenerator fromName(String name) {
        return Labels.byLabel(values(), NoiseGenerator::label, name, "noise.generator");
    }

    /** Every label: the values noise.generator accepts. */
    public static Set<String> labels() {
        return Labels.of(values(), NoiseGenerator::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
