package bnscope.core.tables;

import bnscope.core.probes.SharpnessProbe;
import java.util.List;

import static bnscope.core.tables.ColumnType.*;

/**
 * The tables written on the executors while they train (docs/tables.md is generated from here).
 *
 * <p>Every row carries the same step key. Training runs with parameter averaging: in averaging
 * split {@code split} each worker takes {@code averaging_frequency} local SGD steps on its own
 * minibatches, then the parameters are averaged. {@code step} is the global step index
 * {@code split * averaging_frequency + local_step} (0-based): the row describes the SGD step that
 * takes the parameters from w_step to w_step+1. All workers take step {@code step} at the same
 * time, so (variant, learning_rate, seed, worker, step) identifies one local SGD step: a run is a
 * grid of cells (variant, learning_rate, seed), and every row names its cell.
 */
public final class SnapshotTables {
    private SnapshotTables() {
    }

    public static final String VARIANT = "variant";
    public static final String LEARNING_RATE = "learning_rate";
    public static final String SEED = "seed";

    /** The columns that identify one local SGD step of one worker; every snapshot row starts with them. */
    public static final List<Column> STEP_KEY = List.of(
            Column.of("run_id", STRING, "", "Run identifier (the run directory's manifest run_id)."),
            Column.of(LEARNING_RATE, DOUBLE, "", "The grid cell's SGD learning rate (train.learning_rates, or train.learning_rate for a grid of one)."),
            Column.of(SEED, LONG, "", "The grid cell's seed (train.seeds, or run.seed for a grid of one): init, data order, noise draws and probe samples derive from it."),
            Column.of("worker", INT, "", "Spark partition index of the training task that took the step (0..workers-1); -1 for rows computed on the driver."),
            Column.of("split", INT, "", "Parameter-averaging split index (0-based, continues across --resume); -1 on the driver."),
            Column.of("local_step", INT, "", "Index of the minibatch within the worker's split (0..averaging_frequency-1); -1 on the driver."),
            Column.of("step", LONG, "steps", "Global SGD step: split * averaging_frequency + local_step; the step from w_step to w_step+1."));

    private static final List<Column> LAYER_KEY = List.of(
            Column.of("layer", INT, "", "Weight layer number as in the paper's figures: 1-based index over conv and dense layers, in order."),
            Column.of("layer_name", STRING, "", "Layer name, e.g. conv2_1 or dense1 (see docs/models.md)."),
            Column.of("param", STRING, "", "Which parameter: W (conv/dense weights), gamma or beta (the normalization layer that follows weight layer `layer`)."));

    public static final TableSchema METRICS = TableSchema.builder("metrics",
                    "Training loss and minibatch accuracy per worker step, and full test-set loss and accuracy every eval_every steps and at the end.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "kind", "worker", "step")
            .columns(STEP_KEY)
            .column("kind", STRING, "train | test", "train: the worker's minibatch at w_step (training-mode forward pass, noise included); test: the full test set at the averaged parameters after `step` steps (evaluation mode).")
            .column("loss", DOUBLE, "nats (VGG) / squared error (DLN)", "Mean loss per example (the network's score).")
            .column("accuracy", DOUBLE, "fraction 0..1", "Fraction of examples whose arg-max prediction equals the label (NaN for regression networks).")
            .column("examples", INT, "examples", "Number of examples the row's loss and accuracy are over.")
            .column("time_ms", LONG, "ms since epoch", "Wall-clock time the row was computed.")
            .build();

    public static final TableSchema ICS = TableSchema.builder("ics",
                    "Internal covariate shift as a change of gradients (the paper's Definition 2.1, Section 2.2): G = gradient of layer i at w_step; G' = gradient of layer i after layers < i took their step (same minibatch, same noise draw).")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "layer", "param")
            .columns(STEP_KEY).columns(LAYER_KEY)
            .column("g_norm", DOUBLE, "l2 norm", "‖G‖₂ of the raw minibatch gradient (DL4J sums over the minibatch; divide by batch_size for the mean-loss gradient).")
            .column("g_prime_norm", DOUBLE, "l2 norm", "‖G'‖₂.")
            .column("dot", DOUBLE, "", "⟨G, G'⟩.")
            .column("diff_norm", DOUBLE, "l2 norm", "‖G − G'‖₂ (the paper's Fig. 3/6 'l2 difference').")
            .column("cosine", DOUBLE, "-1..1", "cos(G, G') = ⟨G,G'⟩ / (‖G‖‖G'‖); NaN when either norm is 0.")
            .column("batch_size", INT, "examples", "Minibatch size the gradients are summed over.")
            .build();

    public static final TableSchema ICS_VECTORS = TableSchema.builder("ics_vectors",
                    "The full G and G' vectors behind `ics`, in fixed-size chunks, so Spark SQL can recompute the scalars (probe.ics.vectors = true). "
                            + "A row holds the same elements of G and of G' side by side, so ‖G−G'‖ and ⟨G,G'⟩ need no join.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "layer", "param", "chunk")
            .columns(STEP_KEY).columns(LAYER_KEY)
            .column("chunk", INT, "", "0-based chunk index; chunk c holds elements [c*chunk_size, c*chunk_size + size(g)) of the flattened parameter gradient (DL4J order).")
            .column("g", FLOAT_ARRAY, "gradient units", "The chunk's elements of G (gradient at w_step), float32.")
            .column("g_prime", FLOAT_ARRAY, "gradient units", "The same elements of G' (gradient after the layers before moved), float32; as long as `g`.")
            .build();

    public static final TableSchema LANDSCAPE = TableSchema.builder("landscape",
                    "Loss landscape along the gradient (the paper's Section 3.1, Fig. 4): at w(η) = w_step − η·g for each η in the grid, same minibatch; parameters and BatchNorm running statistics restored afterwards.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "eta")
            .columns(STEP_KEY)
            .column("eta", DOUBLE, "learning-rate units", "Step size η along −g, applied to the mean-loss gradient g (so η = lr reproduces the SGD step).")
            .column("eta_over_lr", DOUBLE, "", "η / lr (the grid is [probe.landscape.min, probe.landscape.max] × lr).")
            .column("loss", DOUBLE, "mean loss", "L(w − η g) on the minibatch.")
            .column("base_loss", DOUBLE, "mean loss", "L(w) on the minibatch.")
            .column("grad_diff_norm", DOUBLE, "l2 norm", "‖∇L(w − η g) − g‖₂ over all weights (gamma/beta included, running statistics excluded).")
            .column("step_norm", DOUBLE, "l2 norm", "‖η g‖₂, the distance moved.")
            .column("grad_norm", DOUBLE, "l2 norm", "‖g‖₂ of the mean-loss gradient at w.")
            .build();

    public static final TableSchema ACTIVATIONS = TableSchema.builder("activations",
                    "Layer-input distributions (the paper's Fig. 1, 2, 7, 8): exact per-batch moments for chosen units and a fixed-size random sample of values, at w_step on the step's minibatch.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "layer", "point", "unit")
            .columns(STEP_KEY)
            .column("layer", INT, "", "Weight layer number (1-based) whose input or normalization output this is.")
            .column("layer_name", STRING, "", "Layer name.")
            .column("point", STRING, "input | norm_output", "input: the activations entering weight layer `layer`; norm_output: the output of the normalization layer after it (BN, noisy BN or ℓp).")
            .column("unit", INT, "", "Channel (conv) or unit (dense) index; -1 for all units pooled.")
            .column("count", LONG, "values", "Number of values the moments are over (batch × height × width for conv channels).")
            .column("mean", DOUBLE, "activation units", "Mean.")
            .column("m2", DOUBLE, "", "Second central moment (population variance): Σ(x−mean)²/count.")
            .column("m3", DOUBLE, "", "Third central moment Σ(x−mean)³/count.")
            .column("m4", DOUBLE, "", "Fourth central moment Σ(x−mean)⁴/count.")
            .column("min", DOUBLE, "activation units", "Smallest value.")
            .column("max", DOUBLE, "activation units", "Largest value.")
            .column("sample", FLOAT_ARRAY, "activation units", "Uniform random sample of the values (probe.activations.sample_size, drawn from the run seed and step).")
            .build();

    public static final TableSchema LAYER_NORMS = TableSchema.builder("layer_norms",
                    "Per-layer parameter norm and update norm at each recorded step.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "layer", "param")
            .columns(STEP_KEY).columns(LAYER_KEY)
            .column("param_norm", DOUBLE, "l2 norm", "‖θ‖₂ of the parameter at w_step.")
            .column("update_norm", DOUBLE, "l2 norm", "‖θ_after − θ_before‖₂ of this worker's local SGD step.")
            .column("grad_norm", DOUBLE, "l2 norm", "‖G‖₂ of the raw (summed) minibatch gradient.")
            .build();

    public static final TableSchema SHARPNESS = TableSchema.builder("sharpness",
                    "Curvature of the step's training objective at w_step (beyond the paper: PyHessian; Cohen et al. 2021, Edge of Stability): "
                            + "the top-k Hessian eigenvalues by Lanczos and a Hutchinson estimate of the trace, on the worker's minibatch in training "
                            + "mode with the step's noise draw, for all trainable parameters and optionally each weight layer's own block. Hessian-vector "
                            + "products are central differences of gradients on a double-precision copy of the network (probe.sharpness.fd_step); "
                            + "the objective is the one SGD descends (mean loss; summed loss for the deep linear network), so λ₁ compares with 2/lr. "
                            + "One row per eigenvalue; the block's trace is repeated on each of its rows.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "which", "layer", "k")
            .columns(STEP_KEY)
            .column("which", STRING, "global | layer", "global: the Hessian over all trainable parameters (gamma/beta included, running statistics excluded); layer: the diagonal block of one weight layer's own W and b.")
            .column("layer", INT, "", "Weight layer number (1-based) of a layer block; 0 for the global block.")
            .column("layer_name", STRING, "", "Layer name of a layer block; all for the global block.")
            .column("parameters", LONG, "parameters", "Size of the block (the Hessian's dimension).")
            .column("k", INT, "", "Eigenvalue rank: 1 is the largest (algebraic, so negative curvature does not count as sharp).")
            .column("eigenvalue", DOUBLE, "loss / parameter²", "The k-th largest Ritz value λ_k of the block.")
            .column("residual", DOUBLE, "relative", "‖H y − λ y‖₂ / |λ| for the unit Ritz vector y, from one more product (finite-difference error included); absolute when λ = 0.")
            .column("iterations", INT, "products", "Lanczos iteration from which on λ_k met probe.sharpness.tolerance (its residual estimate), or all iterations when it never did.")
            .column("trace", DOUBLE, "loss / parameter²", "Hutchinson estimate of tr(H) of the block (mean of zᵀHz over Rademacher z); NaN when probe.sharpness.trace_samples = 0.")
            .column("trace_se", DOUBLE, "loss / parameter²", "Standard error of `trace` (sample sd / √samples); NaN for fewer than 2 samples.")
            .column("trace_samples", INT, "products", "Hutchinson samples behind `trace`.")
            .column("hvp_count", INT, "products", "Hessian-vector products the block cost in all: Lanczos iterations + one residual check per eigenvalue + trace samples (each is two gradient passes in double precision), summed over the attempts when a measurement was redone with a smaller step.")
            .column("fd_step", DOUBLE, "l2 norm", "Distance ‖εv‖ each finite difference moves the block's parameters: h × max(‖w_block‖₂, 1), with h = probe.sharpness.fd_step, or h/10, h/100, ... when a residual above " + SharpnessProbe.RELIABLE_RESIDUAL + " made the probe measure the block again (down to h = " + SharpnessProbe.MIN_FD_STEP + "; docs/sharpness.md).")
            .build();

    public static final TableSchema THEORY_CHECKS = TableSchema.builder("theory_checks",
                    "Numerical checks of the paper's BatchNorm theory (Fact C.1, Theorems 4.1 and 4.2) per BatchNorm unit, on a "
                            + "checkpointed network in double precision (BatchNorm without ε) and the minibatch the run trained on "
                            + "at that step (worker 0's); written by `./submit.sh theory` (docs/theory.md). y: the unit's pre-BN "
                            + "values (m = batch × height × width for a channel), g = ∂L/∂z at its output, G = ∂L/∂y, L the summed loss.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "worker", "step", "layer", "unit", "identity")
            .columns(STEP_KEY)
            .column("layer", INT, "", "Weight layer number whose BatchNorm is checked.")
            .column("layer_name", STRING, "", "Name of weight layer `layer`, e.g. conv2_1.")
            .column("unit", INT, "", "Channel or unit index.")
            .column("identity", STRING, "", "fact_c1 (BatchNorm backward, Fact C.1) | thm41 (Theorem 4.1, exact 1/m form) | "
                    + "thm41_printed (Theorem 4.1 as printed, 1/√m on the last term: a bound lhs ≤ rhs) | thm42 (Theorem 4.2).")
            .column("lhs", DOUBLE, "", "fact_c1: ‖G‖ from DL4J's BatchNorm backprop; thm41, thm41_printed: ‖G‖² (same G); "
                    + "thm42: GᵀĤG, Ĥ = ∂²L/∂y², by central differences of ∂L/∂y along G.")
            .column("rhs", DOUBLE, "", "fact_c1: ‖(γ/(mσ))(m·g − 1⟨1,g⟩ − ŷ⟨g,ŷ⟩)‖; thm41: (γ²/σ²)(‖g‖² − ⟨1,g⟩²/m − ⟨g,ŷ⟩²/m); "
                    + "thm41_printed: the same with ⟨g,ŷ⟩²/√m; thm42: (γ²/σ²)GᵀHG − (γ/(mσ²))⟨g,ŷ⟩‖G‖², H = ∂²L/∂z² by "
                    + "central differences of ∂L/∂z.")
            .column("rel_error", DOUBLE, "", "fact_c1: ‖difference of the two vectors‖ / max of their norms; others: |lhs − rhs| / "
                    + "max(|lhs|, |rhs|, largest term of rhs). For thm41_printed the bound fails where lhs > rhs.")
            .build();

    public static final TableSchema SURFACE = TableSchema.builder("surface",
                    "Loss surface around a checkpoint (Li et al. 2018) and the straight line to it from the initial weights "
                            + "(Goodfellow et al. 2015), written by `./submit.sh surface` (docs/surface.md): training loss and "
                            + "accuracy in evaluation mode (BatchNorm running statistics of the checkpoint, no noise) on a fixed "
                            + "sample of the training set. Plane: θ = θ_step + alpha·x + beta·y, x and y filter-normalized random "
                            + "directions (each filter of x, y has the norm of the same filter of the weights; biases, γ, β and "
                            + "running statistics not perturbed). Line: θ = θ₀ + alpha·(θ_step − θ₀), every parameter "
                            + "interpolated (running statistics included). Key columns worker, split, local_step are -1.")
            .partitionedBy(VARIANT)
            .key(VARIANT, LEARNING_RATE, SEED, "step", "kind", "i", "j")
            .columns(STEP_KEY)
            .column("kind", STRING, "plane | line", "plane: a point of the 2-D grid; line: a point of the 1-D interpolation from the initial weights.")
            .column("i", INT, "", "plane: column index 0..columns-1 (along x); line: index 0..line_points-1.")
            .column("j", INT, "", "plane: row index 0..rows-1 (along y); line: 0.")
            .column("alpha", DOUBLE, "direction units", "plane: coordinate along x, in [-span, span]; line: t in [0, 1] (0: initial weights, 1: the checkpoint).")
            .column("beta", DOUBLE, "direction units", "plane: coordinate along y, in [-span, span]; line: 0.")
            .column("loss", DOUBLE, "nats (VGG) / squared error (DLN)", "Mean loss per example over the sample.")
            .column("accuracy", DOUBLE, "fraction 0..1", "Fraction of the sample classified right (NaN for regression networks).")
            .column("examples", INT, "examples", "Size of the training sample.")
            .column("grid", STRING, "COLUMNSxROWS", "The plane's grid size, e.g. 31x31.")
            .column("span", DOUBLE, "direction units", "Half-width of the plane: alpha and beta run over [-span, span].")
            .column("direction_seed", LONG, "", "Seed the two directions were drawn from (--direction-seed).")
            .column("sample_seed", LONG, "", "Seed the training sample was drawn from (derived from direction_seed).")
            .build();

    /** All snapshot tables, in documentation order. */
    public static List<TableSchema> all() {
        return List.of(METRICS, ICS, ICS_VECTORS, LANDSCAPE, ACTIVATIONS, LAYER_NORMS, SHARPNESS, THEORY_CHECKS, SURFACE);
    }

    public static TableSchema byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no snapshot table " + name));
    }
}
