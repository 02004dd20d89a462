package bnscope.core.config;

import bnscope.core.layers.ConvBackward;
import bnscope.core.layers.NoiseGenerator;
import bnscope.core.models.Implementation;
import bnscope.core.models.Variant;
import bnscope.core.probes.SharpnessProbe;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static bnscope.core.config.ConfigKey.Type.*;

/**
 * Every configuration key bnscope accepts, with defaults and documentation. This list is the
 * single source for validation ({@link RunConfig}), {@code --help} and docs/config.md (a test
 * fails when the docs differ from what {@link ConfigDocs} renders from here).
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    private static final Predicate<Object> POSITIVE = v -> ((Number) v).doubleValue() > 0;
    private static final Predicate<Object> NON_NEGATIVE = v -> ((Number) v).doubleValue() >= 0;

    private static ConfigKey key(String name, ConfigKey.Type type, Object def, String rule, Predicate<Object> check, String doc) {
        return new ConfigKey(name, type, def, doc, rule, check);
    }

    private static ConfigKey oneOf(String name, String def, Set<String> allowed, String doc) {
        return new ConfigKey(name, STRING, def, doc, "one of " + String.join(", ", allowed.stream().sorted().toList()), allowed::contains);
    }

    /** The values train.variants accepts: the labels of {@link Variant} (one definition of the closed set). */
    public static final Set<String> VARIANT_NAMES = Arrays.stream(Variant.values()).map(Variant::label).collect(Collectors.toUnmodifiableSet());

    /**
     * What runs recorded before a key existed were trained with, where that differs from the key's
     * default today. {@link RunConfig#fromRecorded} fills these in for an old manifest, so a
     * {@code --resume} compares the new configuration against what really ran (and refuses a silent
     * change of, e.g., the noise stream) instead of assuming today's default.
     */
    public static final Map<String, Object> VALUE_BEFORE_KEY_EXISTED = Map.of(
            "noise.generator", "nd4j",
            "model.conv_backward", "combined");

    public static final List<ConfigKey> ALL = List.of(
            // run
            key("run.name", STRING, "default", "letters, digits, '-', '_'", v -> ((String) v).matches("[A-Za-z0-9_-]+"),
                    "Run name; the run directory defaults to run.output_dir/run.name."),
            key("run.output_dir", STRING, "runs", "a path", v -> !((String) v).isBlank(),
                    "Parent directory of run directories (any Hadoop path: local, hdfs://, s3a://)."),
            key("run.dir", STRING, "", "a path, or empty", v -> true,
                    "Explicit run directory; empty means run.output_dir/run.name."),
            key("run.seed", LONG, 42L, "any long", v -> true,
                    "Master seed: network initialization, data order, noise and probe samples all derive from it (recorded in the manifest). "
                            + "With train.seeds, each cell's seed takes its place."),
            key("run.overwrite", BOOLEAN, false, "", v -> true,
                    "Replace an existing run directory. Without it, training into a directory that already holds a run is refused (use --resume to continue one)."),
            // data
            key("data.dir", STRING, "data/cifar10-mini", "a directory or a cifar-10-binary.tar.gz", v -> !((String) v).isBlank(),
                    "CIFAR-10 binary version: a directory with data_batch_1..5.bin and test_batch.bin, or the archive itself. The default is the 5,000/1,000 real sample shipped in the repo; point it at a full download for real runs."),
            key("data.cache_dir", STRING, "", "a path, or empty", v -> true,
                    "Where an archive given as data.dir is unpacked; empty means .bnscope-data-cache beside the run directory."),
            key("data.test_examples", INT, 0, ">= 0", NON_NEGATIVE,
                    "Evaluate on the first N test records only; 0 means the whole test file."),
            // model
            oneOf("model.kind", "vgg", ModelSettings.Kind.labels(),
                    "Network family: VGG on CIFAR-10, or the paper's deep linear network on synthetic Gaussian data."),
            oneOf("model.preset", "vgg-mini", ModelSettings.Preset.labels(),
                    "VGG preset: vgg16 (13 conv layers 64..512, dense 512, 512, 10: the paper's scale) or vgg-mini (16,16,M,32,32,M,64,64,M, dense 128, 10: for CPUs)."),
            key("model.conv_stack", STRING, "", "comma list of channel counts and M, or empty", v -> ((String) v).isEmpty() || ((String) v).matches("\\s*(\\d+|M)(\\s*,\\s*(\\d+|M))*\\s*"),
                    "Overrides the preset's conv stack, e.g. \"32,32,M,64,64,M\" (numbers: 3x3 conv channels; M: 2x2 max-pool)."),
            key("model.dense", INT_LIST, List.of(), "positive ints", POSITIVE,
                    "Overrides the preset's hidden dense layer sizes (the 10-way output layer is always added)."),
            oneOf("model.implementation", "fused", Implementation.labels(),
                    "How the layers run: fused (activations channels-last through the VGG stack, each conv's pre-activation kept for its backprop, BatchNorm and noisy BatchNorm as fused kernels) or dl4j (DL4J's own layers in NCHW, as before issue 15; same function, for comparison)."),
            oneOf("model.conv_backward", "auto", ConvBackward.labels(),
                    "With model.implementation = fused, how a convolution's backward pass runs: split (input gradient as a forward convolution with the rotated kernel, weight gradient from deconv2d_bp, bias gradient as one matrix product; avoids oneDNN's slow Winograd backward-data kernel), combined (libnd4j's one conv2d_bp, as runs before the key), or auto (split on feature maps of 32x32 positions and more, where it is faster, combined on smaller ones). Same gradients up to float rounding; weight gradients identical."),
            // DLN
            key("dln.depth", INT, 25, ">= 2", v -> ((Number) v).intValue() >= 2, "Deep linear network: number of linear layers."),
            key("dln.width", INT, 10, "> 0", POSITIVE, "Deep linear network: input, hidden and output width."),
            key("dln.samples", INT, 1000, "> 0", POSITIVE, "Deep linear network: number of Gaussian samples x ~ N(0, I); training is full-batch."),
            // training
            key("train.variants", STRING_LIST, List.of("standard", "batchnorm", "noisy-batchnorm"), "each one of " + String.join(", ", VARIANT_NAMES.stream().sorted().toList()),
                    VARIANT_NAMES::contains,
                    "Variants trained in this run; with train.learning_rates and train.seeds they span the experiment grid. Cells of one seed share the initialization seed and the data order."),
            key("train.steps", INT, 160, "> 0, a multiple of spark.averaging_frequency", POSITIVE,
                    "SGD steps per grid cell (one step = every worker takes one local step on its minibatch)."),
            key("train.batch_size", INT, 128, "> 0, divisible by spark.workers", POSITIVE,
                    "Minibatch size per step over all workers; each worker takes batch_size / spark.workers examples."),
            key("train.learning_rate", DOUBLE, 0.1, "> 0", POSITIVE,
                    "Plain SGD learning rate (no momentum, no weight decay) of a run without train.learning_rates (a grid of one learning rate)."),
            key("train.eval_every", INT, 40, ">= 0, a multiple of spark.averaging_frequency", NON_NEGATIVE,
                    "Evaluate loss and accuracy on the test set every N steps (and always at the end); 0 means only at the end."),
            key("train.checkpoint_every", INT, 80, ">= 0, a multiple of spark.averaging_frequency", NON_NEGATIVE,
                    "Write a checkpoint every N steps (and always at the end); 0 means only at the end. --resume continues from the last one."),
            key("train.learning_rates", DOUBLE_LIST, List.of(), "each > 0, no repeats; empty means [train.learning_rate]", POSITIVE,
                    "Learning rates of the experiment grid: every variant is trained at each of them (the paper's Fig. 1 uses 0.1 and 0.5). "
                            + "A grid cell is (variant, learning rate, seed); every table row carries its cell's learning_rate and seed."),
            key("train.seeds", LONG_LIST, List.of(), "no repeats; empty means [run.seed]", v -> true,
                    "Seeds of the experiment grid: every (variant, learning rate) is trained from each of them. A cell's seed replaces "
                            + "run.seed for everything that derives from it (initialization, data order, noise draws, probe samples)."),
            key("train.parallel_cells", INT, 0, ">= 0; 0 means fill the cores", NON_NEGATIVE,
                    "Grid cells trained at the same time, as concurrent Spark jobs (cells are independent, so results do not depend on it). "
                            + "0: as many as fill the cores: the embedded local master's cores (this machine's processors) or, on a "
                            + "cluster, the executors' cores, divided by spark.workers. The embedded local master gets spark.workers x "
                            + "this many cores."),
            key("train.parallel_variants", INT, 0, ">= 0", NON_NEGATIVE,
                    "Deprecated (before grids): the old name of train.parallel_cells, still read from older configs and manifests. "
                            + "A value > 0 is used when train.parallel_cells is 0; setting both to different values > 0 is refused."),
            // noisy BatchNorm (the paper's Section 2.1 noise)
            key("noise.n_mu", DOUBLE, 0.5, ">= 0", NON_NEGATIVE, "Noisy BatchNorm: per-step channel mean shift mu_j ~ U(-n_mu, n_mu)."),
            key("noise.n_sigma", DOUBLE, 1.25, ">= 1", v -> ((Number) v).doubleValue() >= 1, "Noisy BatchNorm: per-step channel scale sigma_j ~ U(1, n_sigma)."),
            key("noise.r_mu", DOUBLE, 0.1, ">= 0", NON_NEGATIVE, "Noisy BatchNorm: per-sample shift m_ij ~ U(mu_j - r_mu, mu_j + r_mu)."),
            key("noise.r_sigma", DOUBLE, 0.1, ">= 0", NON_NEGATIVE, "Noisy BatchNorm: per-sample scale s_ij ~ N(sigma_j, r_sigma) (a standard deviation)."),
            oneOf("noise.generator", "splitmix", NoiseGenerator.labels(),
                    "Noisy BatchNorm: the random stream of the draws: splitmix (SplitMix64 and a ziggurat in Java, drawn and applied in two passes over the layer; the default since issue 15) or nd4j (libnd4j's native generator, the stream of earlier runs). Same distributions, different draws."),
            // Spark
            key("spark.workers", INT, 2, "> 0", POSITIVE,
                    "Parameter-averaging workers (data partitions per split). Match it to the executor cores you have."),
            key("spark.averaging_frequency", INT, 5, "> 0", POSITIVE,
                    "Local SGD steps each worker takes between parameter averages. 1 makes training equal to single-machine SGD at batch_size."),
            // probes
            key("probe.enabled", BOOLEAN, true, "", v -> true, "Master switch for every executor-side probe (the per-step metrics rows are always written)."),
            key("probe.ics.every", INT, 60, ">= 0", NON_NEGATIVE, "Gradient-shift (ICS) probe: every N steps; 0 disables the periodic schedule."),
            key("probe.ics.steps", LONG_LIST, List.of(0L, 10L, 30L), ">= 0", NON_NEGATIVE, "Gradient-shift probe: extra steps to record (dense early, sparse later)."),
            key("probe.ics.layers", INT_LIST, List.of(), "weight layer numbers >= 1", POSITIVE, "Gradient-shift probe: weight layers (1-based, as in the paper's figures); empty means all."),
            key("probe.ics.vectors", BOOLEAN, true, "", v -> true, "Also store the full G and G' vectors in ics_vectors, chunked, so SQL can recompute the scalars."),
            key("probe.ics.chunk_size", INT, 4096, "> 0", POSITIVE, "Gradient values per ics_vectors row."),
            key("probe.landscape.every", INT, 60, ">= 0", NON_NEGATIVE, "Loss-landscape probe: every N steps; 0 disables the periodic schedule."),
            key("probe.landscape.steps", LONG_LIST, List.of(0L, 30L), ">= 0", NON_NEGATIVE, "Loss-landscape probe: extra steps to record."),
            key("probe.landscape.points", INT, 8, "> 0", POSITIVE, "Loss-landscape probe: number of step sizes eta (geometric grid)."),
            key("probe.landscape.min", DOUBLE, 0.5, "> 0", POSITIVE, "Loss-landscape probe: smallest eta as a multiple of the learning rate (paper: VGG 0.5, DLN 0.01)."),
            key("probe.landscape.max", DOUBLE, 4.0, "> 0", POSITIVE, "Loss-landscape probe: largest eta as a multiple of the learning rate (paper: VGG 4, DLN 30)."),
            key("probe.activations.every", INT, 40, ">= 0", NON_NEGATIVE, "Activation probe: every N steps; 0 disables the periodic schedule."),
            key("probe.activations.steps", LONG_LIST, List.of(0L), ">= 0", NON_NEGATIVE, "Activation probe: extra steps to record."),
            key("probe.activations.layers", INT_LIST, List.of(), "weight layer numbers >= 1", POSITIVE, "Activation probe: weight layers whose input (and norm output) is recorded; empty means all."),
            key("probe.activations.units", INT_LIST, List.of(0, 1, 2, 3), ">= 0", NON_NEGATIVE, "Activation probe: channels/units with their own moments (all units pooled are always recorded)."),
            key("probe.activations.sample_size", INT, 256, ">= 0", NON_NEGATIVE, "Activation probe: random activation values kept per row for histograms."),
            key("probe.layer_norms.every", INT, 10, ">= 0", NON_NEGATIVE, "Layer-norm probe (parameter and update norms): every N steps."),
            key("probe.layer_norms.steps", LONG_LIST, List.of(), ">= 0", NON_NEGATIVE, "Layer-norm probe: extra steps to record."),
            key("probe.sharpness.every", INT, 0, ">= 0", NON_NEGATIVE, "Sharpness probe (top Hessian eigenvalues and trace; costly: see docs/sharpness.md): every N steps; 0 disables the periodic schedule."),
            key("probe.sharpness.steps", LONG_LIST, List.of(), ">= 0", NON_NEGATIVE, "Sharpness probe: extra steps to record (none by default: the probe is off unless scheduled)."),
            key("probe.sharpness.k", INT, 1, "> 0", POSITIVE, "Sharpness probe: number of top Hessian eigenvalues (Lanczos) per block."),
            key("probe.sharpness.iterations", INT, 30, ">= probe.sharpness.k", POSITIVE, "Sharpness probe: Lanczos iterations (Hessian-vector products) at most per block."),
            key("probe.sharpness.tolerance", DOUBLE, 1e-3, "in (0, 1)", v -> ((Number) v).doubleValue() > 0 && ((Number) v).doubleValue() < 1,
                    "Sharpness probe: Lanczos stops when every one of the top k eigenvalues has a relative residual estimate below this."),
            key("probe.sharpness.trace_samples", INT, 0, ">= 0", NON_NEGATIVE, "Sharpness probe: Hutchinson samples for the Hessian trace per block; 0 means no trace."),
            key("probe.sharpness.per_layer", BOOLEAN, false, "", v -> true, "Sharpness probe: also measure each weight layer's own Hessian block (its W and b)."),
            key("probe.sharpness.layers", INT_LIST, List.of(), "weight layer numbers >= 1", POSITIVE, "Sharpness probe: weight layers for the per-layer blocks; empty means all."),
            key("probe.sharpness.fd_step", DOUBLE, 1e-9, "in (0, 0.01)", v -> ((Number) v).doubleValue() > 0 && ((Number) v).doubleValue() < 1e-2,
                    "Sharpness probe: relative finite-difference step of the Hessian-vector products (in double precision): each difference moves the block's parameters by fd_step x max(norm of the block, 1). Small because ReLU and max-pooling kinks, not truncation, limit the accuracy; a block with an eigenvalue residual above " + SharpnessProbe.RELIABLE_RESIDUAL + " is measured again with a ten times smaller step, down to " + SharpnessProbe.MIN_FD_STEP + " (docs/sharpness.md)."),
            // analysis and report
            key("analysis.smoothing_window", INT, 20, "> 0", POSITIVE, "Trailing moving-average window (rows) for smoothed training curves."),
            key("report.layers", INT_LIST, List.of(5, 10), "weight layer numbers >= 1", POSITIVE, "Weight layers plotted in the report's gradient-change figure (the paper: VGG #5 and #10).")
    );

    public static ConfigKey byName(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
    }
}
