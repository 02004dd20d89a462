package bnscope.bench.report;

import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;

/** The sharpness probe's cost (issue 12): one probe with k = 1, and with k = 5 and a trace, in training steps. */
public final class SharpnessSection implements BenchmarkSection {
    static final String PREFIX = "sharpness.batchnorm.";

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## Sharpness probe cost\n\n| Figure | Value |\n|---|---|\n");
        String ref = n.ref("sharpness_cost");
        String p = PREFIX;
        if (!f.has(p + "step_ms")) {
            md.append("| one sharpness probe ").append(ref).append(" | **not measured**: the SharpnessBenchmark stage left no figures (see failures) |\n\n");
            return;
        }
        md.append("| one sharpness probe, k = 1 (global, no trace), in training steps ").append(ref).append(" | ")
                .append(fmt(f.num(p + "k1_steps"), "%.1f")).append(" steps (").append(fmt(f.num(p + "k1_ms"), "%.0f"))
                .append(" ms; one step ").append(fmt(f.num(p + "step_ms"), "%.0f")).append(" ms); ")
                .append(fmt(f.num(p + "k1_hvps"), "%.0f")).append(" Hessian-vector products, λ₁ ≈ ")
                .append(fmt(f.num(p + "k1_lambda1"), "%.3g")).append(" (residual ").append(fmt(f.num(p + "k1_residual"), "%.1e")).append(") |\n");
        md.append("| one sharpness probe, k = 5 with a ").append(f.text(p + "k5_trace_samples")).append("-sample Hutchinson trace, in training steps ")
                .append(ref).append(" | ").append(fmt(f.num(p + "k5_steps"), "%.1f")).append(" steps (").append(fmt(f.num(p + "k5_ms"), "%.0f"))
                .append(" ms); ").append(fmt(f.num(p + "k5_hvps"), "%.0f")).append(" Hessian-vector products |\n\n");
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("sharpness_cost", "**sharpness probe cost** (`bnscope.bench.SharpnessBenchmark`, single JVM, 2 threads, vgg-mini batchnorm, batch "
                + f.text(PREFIX + "batch") + "): rounds of a plain step, a step with one k = 1 sharpness probe and a step with one k = 5 probe "
                + "with a trace, each through `StepObserver` (as the training hook runs it); probe time = the observer's `after()` (double-precision "
                + "copy, finite-difference products, residual checks, rows, exact restore), step time = `net.fit`; Lanczos at most "
                + f.text(PREFIX + "iterations") + " products, tolerance " + f.text(PREFIX + "tolerance") + "; medians over "
                + f.text(PREFIX + "rounds") + " rounds. Each product is two forward+backward passes in double precision.");
    }
}
