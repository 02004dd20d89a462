package bnscope.core.probes;

import bnscope.core.BadInputException;

import java.io.Serializable;
import java.util.List;

/**
 * Which probes run when, and their options: a serializable value shipped to the executors. Field
 * names follow the config keys {@code probe.<name>.<option>} (chunk_size -> chunkSize, min ->
 * minMultiplier, ...). Values are checked on construction; a bad value throws
 * {@link BadInputException} naming its key.
 *
 * @param ics         probe.ics: gradient change per layer (ICS, the paper's Section 2.2)
 * @param landscape   probe.landscape: loss and gradient along the gradient direction (Section 3.1)
 * @param activations probe.activations: layer-input distributions
 * @param layerNorms  probe.layer_norms: parameter, update and gradient norms per layer
 * @param sharpness   probe.sharpness: top Hessian eigenvalues and trace (beyond the paper; off by default)
 * @param seed        run seed; activation samples derive their seed from it
 */
public record ProbeSettings(Ics ics, Landscape landscape, Activations activations, LayerNorms layerNorms, Sharpness sharpness,
                            long seed)
        implements Serializable {

    /** Default period of every probe in {@link #defaults()}: about 150 points over the paper's 15k steps. */
    public static final long DEFAULT_EVERY = 100;

    /**
     * probe.ics.*
     *
     * @param layers    weight-layer numbers (1-based); empty = all
     * @param vectors   also write the full G and G' vectors to ics_vectors
     * @param chunkSize float32 values per ics_vectors row
     */
    public record Ics(boolean enabled, ProbeSchedule schedule, List<Integer> layers, boolean vectors, int chunkSize)
            implements Serializable {
        public Ics {
            schedule = schedule.checked("probe.ics");
            layers = checkedLayers(layers, "probe.ics.layers");
            if (chunkSize < 1) {
                throw new BadInputException("probe.ics.chunk_size must be a positive number of float values per ics_vectors row, got "
                        + chunkSize + ". The default is 4096.");
            }
        }

        public static Ics defaults() {
            return new Ics(true, ProbeSchedule.every(DEFAULT_EVERY), List.of(), false, 4096);
        }

        public boolean due(long step) {
            return enabled && schedule.due(step);
        }
    }

    /**
     * probe.landscape.*: η grid of {@code points} geometric points from minMultiplier·lr to maxMultiplier·lr.
     */
    public record Landscape(boolean enabled, ProbeSchedule schedule, int points, double minMultiplier, double maxMultiplier)
            implements Serializable {
        public Landscape {
            schedule = schedule.checked("probe.landscape");
            if (points < 1) {
                throw new BadInputException("probe.landscape.points must be at least 1, got " + points + ". The default is 8.");
            }
            if (!(minMultiplier > 0) || !(maxMultiplier >= minMultiplier) || Double.isInfinite(maxMultiplier)) {
                throw new BadInputException("probe.landscape.min and probe.landscape.max must satisfy 0 < min <= max (multiples of the learning rate), got min="
                        + minMultiplier + ", max=" + maxMultiplier + ". The paper's VGG grid is min=0.5, max=4.");
            }
        }

        public static Landscape defaults() {
            return new Landscape(true, ProbeSchedule.every(DEFAULT_EVERY), 8, 0.5, 4.0);
        }

        public boolean due(long step) {
            return enabled && schedule.due(step);
        }

        /** The η/lr multipliers: geometric from min to max, both ends included (min alone when points = 1). */
        public double[] multipliers() {
            double[] m = new double[points];
            for (int k = 0; k < points; k++) {
                m[k] = points == 1 ? minMultiplier
                        : minMultiplier * Math.pow(maxMultiplier / minMultiplier, k / (double) (points - 1));
            }
            return m;
        }
    }

    /**
     * probe.activations.*
     *
     * @param layers     weight-layer numbers; empty = all
     * @param units      channels (conv) / units (dense) to summarize besides the pooled unit -1
     * @param sampleSize values kept per (layer, point, unit) as a uniform random sample
     */
    public record Activations(boolean enabled, ProbeSchedule schedule, List<Integer> layers, List<Integer> units, int sampleSize)
            implements Serializable {
        public Activations {
            schedule = schedule.checked("probe.activations");
            layers = checkedLayers(layers, "probe.activations.layers");
            units = List.copyOf(units);
            for (int u : units) {
                if (u < 0) {
                    throw new BadInputException("probe.activations.units must list channel/unit indices >= 0, got " + u
                            + ". The pooled unit -1 is always reported; do not list it.");
                }
            }
            if (sampleSize < 0) {
                throw new BadInputException("probe.activations.sample_size must be >= 0, got " + sampleSize + ". The default is 256.");
            }
        }

        public static Activations defaults() {
            return new Activations(true, ProbeSchedule.every(DEFAULT_EVERY), List.of(), List.of(0, 1, 2, 3), 256);
        }

        public boolean due(long step) {
            return enabled && schedule.due(step);
        }
    }

    /** probe.layer_norms.* */
    public record LayerNorms(boolean enabled, ProbeSchedule schedule) implements Serializable {
        public LayerNorms {
            schedule = schedule.checked("probe.layer_norms");
        }

        public static LayerNorms defaults() {
            return new LayerNorms(true, ProbeSchedule.every(DEFAULT_EVERY));
        }

        public boolean due(long step) {
            return enabled && schedule.due(step);
        }
    }

    /**
     * probe.sharpness.*: the top-k eigenvalues (Lanczos) and the Hutchinson trace of the Hessian of
     * the step's training objective, globally and optionally per weight layer ({@link SharpnessProbe}).
     *
     * @param k            eigenvalues per block
     * @param iterations   Lanczos iterations (Hessian-vector products) at most per block, >= k
     * @param tolerance    relative residual estimate at which an eigenvalue counts as converged
     * @param traceSamples Hutchinson samples per block; 0 = no trace
     * @param perLayer     also measure each selected weight layer's own block
     * @param layers       weight-layer numbers for the per-layer blocks; empty = all
     * @param fdStep       relative finite-difference step h (see {@link FiniteDifferenceHessian})
     */
    public record Sharpness(boolean enabled, ProbeSchedule schedule, int k, int iterations, double tolerance, int traceSamples,
                            boolean perLayer, List<Integer> layers, double fdStep) implements Serializable {
        public Sharpness {
            schedule = schedule.checked("probe.sharpness");
            layers = checkedLayers(layers, "probe.sharpness.layers");
            if (k < 1) {
                throw new BadInputException("probe.sharpness.k must be at least 1 (the number of top Hessian eigenvalues), got " + k + ". The default is 1.");
            }
            if (iterations < k) {
                throw new BadInputException("probe.sharpness.iterations must be at least probe.sharpness.k (" + k + "): Lanczos finds k eigenvalues in no fewer products; got "
                        + iterations + ". The default is 30.");
            }
            if (!(tolerance > 0) || !(tolerance < 1)) {
                throw new BadInputException("probe.sharpness.tolerance must be a relative residual in (0, 1), got " + tolerance + ". The default is 1e-3.");
            }
            if (traceSamples < 0) {
                throw new BadInputException("probe.sharpness.trace_samples must be >= 0 (0 = no trace estimate), got " + traceSamples + ". The default is 0.");
            }
            if (!(fdStep > 0) || !(fdStep < 1e-2)) {
                throw new BadInputException("probe.sharpness.fd_step must be a relative finite-difference step in (0, 0.01), got " + fdStep
                        + ". The default is 1e-9 (see docs/sharpness.md).");
            }
        }

        /** probe.sharpness.fd_step's default: see {@link FiniteDifferenceHessian} for why it is this small. */
        public static final double DEFAULT_FD_STEP = 1e-9;

        public static Sharpness defaults() {
            return new Sharpness(true, ProbeSchedule.every(DEFAULT_EVERY), 1, 30, 1e-3, 0, false, List.of(), DEFAULT_FD_STEP);
        }

        public boolean due(long step) {
            return enabled && schedule.due(step);
        }
    }

    public ProbeSettings {
        if (ics == null || landscape == null || activations == null || layerNorms == null || sharpness == null) {
            throw new IllegalArgumentException("every probe needs settings (use the probe's defaults() or disabled values)");
        }
    }

    /** Every probe on, every {@value #DEFAULT_EVERY} steps, with the defaults above; seed 0. */
    public static ProbeSettings defaults() {
        return new ProbeSettings(Ics.defaults(), Landscape.defaults(), Activations.defaults(), LayerNorms.defaults(), Sharpness.defaults(), 0L);
    }

    /** No probe runs (the METRICS train row is still written by StepObserver). */
    public static ProbeSettings none() {
        ProbeSettings d = defaults();
        return new ProbeSettings(
                new Ics(false, ProbeSchedule.never(), d.ics.layers(), d.ics.vectors(), d.ics.chunkSize()),
                new Landscape(false, ProbeSchedule.never(), d.landscape.points(), d.landscape.minMultiplier(), d.landscape.maxMultiplier()),
                new Activations(false, ProbeSchedule.never(), d.activations.layers(), d.activations.units(), d.activations.sampleSize()),
                new LayerNorms(false, ProbeSchedule.never()),
                new Sharpness(false, ProbeSchedule.never(), d.sharpness.k(), d.sharpness.iterations(), d.sharpness.tolerance(),
                        d.sharpness.traceSamples(), d.sharpness.perLayer(), d.sharpness.layers(), d.sharpness.fdStep()), 0L);
    }

    public ProbeSettings withIcs(Ics value) {
        return new ProbeSettings(value, landscape, activations, layerNorms, sharpness, seed);
    }

    public ProbeSettings withLandscape(Landscape value) {
        return new ProbeSettings(ics, value, activations, layerNorms, sharpness, seed);
    }

    public ProbeSettings withActivations(Activations value) {
        return new ProbeSettings(ics, landscape, value, layerNorms, sharpness, seed);
    }

    public ProbeSettings withLayerNorms(LayerNorms value) {
        return new ProbeSettings(ics, landscape, activations, value, sharpness, seed);
    }

    public ProbeSettings withSharpness(Sharpness value) {
        return new ProbeSettings(ics, landscape, activations, layerNorms, value, seed);
    }

    public ProbeSettings withSeed(long value) {
        return new ProbeSettings(ics, landscape, activations, layerNorms, sharpness, value);
    }

    /** Whether any probe runs at {@code step}. */
    public boolean anyDue(long step) {
        return ics.due(step) || landscape.due(step) || activations.due(step) || layerNorms.due(step) || sharpness.due(step);
    }

    private static List<Integer> checkedLayers(List<Integer> layers, String key) {
        for (int n : layers) {
            if (n < 1) {
                throw new BadInputException(key + " must list weight-layer numbers starting at 1 (as in the paper's figures), got " + n
                        + ". Use an empty list for all layers.");
            }
        }
        return List.copyOf(layers);
    }
}
