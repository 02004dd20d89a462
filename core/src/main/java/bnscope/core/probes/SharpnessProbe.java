package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Sharpness of the loss at w_step, the curvature view of smoothness the paper does not measure
 * (PyHessian; Cohen et al. 2021, "Gradient Descent on Neural Networks Typically Occurs at the Edge
 * of Stability"): the top-k eigenvalues of the Hessian of the step's training objective on the
 * worker's minibatch (training-mode BatchNorm, the step's noise draw), by {@link Lanczos}, and a
 * {@link HutchinsonTrace} of it; for all trainable parameters and, with probe.sharpness.per_layer,
 * for each weight layer's own diagonal block. Products come from {@link FiniteDifferenceHessian} on
 * a double-precision copy, so the trained network is never touched (StepObserver restores it anyway).
 *
 * <p>Each eigenvalue's residual ‖Hy − λy‖/|λ| is measured with one more product rather than taken
 * from the Lanczos estimate, so it includes the finite-difference error; a block with a residual
 * above {@link #RELIABLE_RESIDUAL} is measured again with a smaller step. Start vectors and
 * Rademacher draws come from the run seed, the step and the block; no global random generator is used.
 */
public final class SharpnessProbe implements Probe {
    private static final int LANCZOS_STREAM = 0;
    private static final int TRACE_STREAM = 1;

    private final ProbeSettings.Sharpness settings;

    public SharpnessProbe(ProbeSettings.Sharpness settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "sharpness";
    }

    @Override
    public List<TableSchema> tables() {
        return List.of(SnapshotTables.SHARPNESS);
    }

    @Override
    public boolean due(long step) {
        return settings.due(step);
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        FiniteDifferenceHessian hessian = new FiniteDifferenceHessian(s, settings.fdStep());
        for (ParameterBlock block : blocks(s.layers())) {
            for (Measurement m : measureReliably(hessian, block, s.seed(), s.key().step())) {
                sink.write(SnapshotTables.SHARPNESS, s.key().startRow(SnapshotTables.SHARPNESS)
                        .set("which", block.which())
                        .set("layer", block.layer())
                        .set("layer_name", block.layerName())
                        .set("parameters", (long) block.dimension())
                        .set("k", m.rank())
                        .set("eigenvalue", m.eigenvalue())
                        .set("residual", m.residual())
                        .set("iterations", m.iterations())
                        .set("trace", m.trace().trace())
                        .set("trace_se", m.trace().standardError())
                        .set("trace_samples", m.trace().samples())
                        .set("hvp_count", m.products())
                        .set("fd_step", m.step())
                        .build());
            }
        }
    }

    /**
     * One eigenvalue of one block, with the block's trace and cost.
     *
     * @param rank       1 for the largest
     * @param residual   ‖Hy − λy‖₂ / |λ| (absolute when λ = 0)
     * @param iterations Lanczos iteration from which on it met the tolerance
     * @param products   Hessian-vector products of the whole block (Lanczos, residuals, trace)
     * @param step       ‖εv‖ of the block's finite differences
     */
    public record Measurement(int rank, double eigenvalue, double residual, int iterations, HutchinsonTrace trace,
                              int products, double step) {
    }

    /** The global block, then the selected weight layers' blocks if per-layer blocks are on. */
    List<ParameterBlock> blocks(WeightLayers layers) {
        List<ParameterBlock> out = new ArrayList<>();
        out.add(ParameterBlock.global(layers));
        if (settings.perLayer()) {
            for (WeightLayer w : layers.select(settings.layers(), "probe.sharpness.layers")) {
                out.add(ParameterBlock.of(layers, w));
            }
        }
        return out;
    }

    /**
     * A residual above this (relative) says an eigenpair is not one of the finite-difference
     * Hessian's: a product straddled a kink of ReLU or max-pooling (see {@link FiniteDifferenceHessian}).
     * The analysis reads only eigenvalues at or below it.
     */
    public static final double RELIABLE_RESIDUAL = 0.05;

    /** The smallest relative step a retry goes down to: below it double rounding reaches ~1e-2 of a product. */
    public static final double MIN_FD_STEP = 1e-12;

    /**
     * {@link #measure}, redone with a ten times smaller step while any of the block's eigenvalues has a
     * residual above {@link #RELIABLE_RESIDUAL}, down to {@link #MIN_FD_STEP}. The rows keep the step
     * of the last attempt ({@code fd_step}) and count the products of every attempt ({@code hvp_count});
     * an eigenvalue still unreliable at the smallest step keeps its residual, which says so.
     */
    List<Measurement> measureReliably(FiniteDifferenceHessian hessian, ParameterBlock block, long seed, long step) {
        List<Measurement> out = measure(hessian, block, seed, step);
        int products = out.get(0).products();
        FiniteDifferenceHessian h = hessian;
        while (out.stream().anyMatch(m -> !(m.residual() <= RELIABLE_RESIDUAL)) && h.relativeStep() / 10 >= MIN_FD_STEP * (1 - 1e-9)) {
            h = h.withStep(h.relativeStep() / 10);
            out = measure(h, block, seed, step);
            products += out.get(0).products();
        }
        int total = products;
        return out.stream().map(m -> new Measurement(m.rank(), m.eigenvalue(), m.residual(), m.iterations(), m.trace(), total, m.step())).toList();
    }

    /** The top-k eigenvalues (largest first) and the trace of {@code block}'s Hessian. */
    public List<Measurement> measure(FiniteDifferenceHessian hessian, ParameterBlock block, long seed, long step) {
        double scale = DoubleVectors.norm(block.extract(hessian.point()));
        int[] products = {0};
        UnaryOperator<double[]> op = v -> {
            products[0]++;
            return block.extract(hessian.product(block.embed(v), scale));
        };
        int n = block.dimension();
        Lanczos.Result lanczos = Lanczos.top(op, n, settings.k(), settings.iterations(), settings.tolerance(),
                new SplittableRandom(ActivationSummary.seedFor(seed, step, block.layer(), LANCZOS_STREAM)));
        double[] residuals = new double[lanczos.pairs().size()];
        for (int i = 0; i < residuals.length; i++) {
            Lanczos.RitzPair p = lanczos.pairs().get(i);
            double[] hy = op.apply(p.vector());
            for (int d = 0; d < n; d++) {
                hy[d] -= p.value() * p.vector()[d];
            }
            double r = DoubleVectors.norm(hy);
            residuals[i] = p.value() == 0 ? r : r / Math.abs(p.value());
        }
        HutchinsonTrace trace = settings.traceSamples() == 0 ? HutchinsonTrace.none()
                : HutchinsonTrace.of(op, n, settings.traceSamples(),
                new SplittableRandom(ActivationSummary.seedFor(seed, step, block.layer(), TRACE_STREAM)));
        List<Measurement> out = new ArrayList<>();
        for (int i = 0; i < residuals.length; i++) {
            Lanczos.RitzPair p = lanczos.pairs().get(i);
            out.add(new Measurement(i + 1, p.value(), residuals[i], p.iterations(), trace, products[0], hessian.step(scale)));
        }
        return out;
    }
}
