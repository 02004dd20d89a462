package bnscope.bench.report;

import java.util.List;
import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/**
 * Section 1d, the deep linear network's step (issue 15): the DLN's tensors are [1000, 10], so a
 * normalization layer costs its ops' fixed overheads, and the figure that matters is a normalized
 * variant's step ÷ the standard network's, for the fused kernels against DL4J's own layers.
 */
public final class DlnStepSection implements BenchmarkSection {
    static final List<String> VARIANTS = List.of("standard", "batchnorm", "l1", "l2", "linf");
    static final List<String> IMPLEMENTATIONS = List.of("fused", "dl4j");

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 1d. Deep linear network: ms per full-batch step, 1 thread ").append(n.ref("dln_step")).append("\n\n");
        if (!f.has("dln.fused.standard.median_ms")) {
            md.append("**not measured**: the DlnStepBenchmark stage left no figures (see the failed stages).\n\n");
            return;
        }
        md.append("Median ms per step (min–max).\n\n")
                .append("| model.implementation | ").append(String.join(" | ", VARIANTS)).append(" | batchnorm ÷ standard (target ≤ 2×) |\n")
                .append("|---|").append("---|".repeat(VARIANTS.size() + 1)).append('\n');
        for (String impl : IMPLEMENTATIONS) {
            String p = "dln." + impl + ".";
            if (!f.has(p + "standard.median_ms")) {
                continue;
            }
            md.append("| `").append(impl).append("` |");
            for (String v : VARIANTS) {
                md.append(' ').append(fmt(f.num(p + v + ".median_ms"), "%.2f")).append(" (").append(fmt(f.num(p + v + ".min_ms"), "%.2f"))
                        .append('–').append(fmt(f.num(p + v + ".max_ms"), "%.1f")).append(") |");
            }
            double ratio = f.num(p + "batchnorm.over_standard");
            md.append(' ').append(times(ratio)).append(verdict(ratio <= 2.0, ratio)).append(" |\n");
        }
        md.append('\n');
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("dln_step", "**DLN step** (issue 15): DlnStepBenchmark on conf/paper-dln.conf (25 linear 10×10 layers, the full "
                + "batch of 1,000, lr 1e-6), OMP_NUM_THREADS = 1, `net.fit` per step; median (min–max) over "
                + fmt(f.num("dln.rounds"), "%.0f") + " interleaved rounds × " + fmt(f.num("dln.steps_per_round"), "%.0f")
                + " timed steps after warm-up, per variant and implementation. Target (issue 15): batchnorm ≤ 2× standard.");
    }
}
