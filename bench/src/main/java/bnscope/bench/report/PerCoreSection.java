package bnscope.bench.report;

import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.torchTwin;
import static bnscope.bench.report.BenchmarkFigures.variantRow;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/**
 * Section 1b, per-core speed (issue 15): each side alone at 1 and 2 native threads, and two 1-thread
 * processes of the same side at once, which is how a grid runs one cell per executor core.
 */
public final class PerCoreSection implements BenchmarkSection {

    /** Issue 15's targets for bnscope ÷ libtorch per variant (noisy against libtorch with BatchNorm). */
    static double target(String variant) {
        return switch (variant) {
            case "standard" -> 1.0;
            case "batchnorm" -> 1.15;
            default -> 1.3;
        };
    }

    /** Mean of the two side-by-side processes' figures (NaN if either is missing). */
    private static double pairMean(BenchmarkFigures f, String prefixA, String prefixB, String key) {
        return (f.num(prefixA + key) + f.num(prefixB + key)) / 2;
    }

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 1b. Per core: 1 and 2 threads alone, two 1-thread processes side by side ").append(n.ref("per_core")).append("\n\n")
                .append("| Figure | standard | batchnorm | noisy-batchnorm | Target |\n|---|---|---|---|---|\n");
        variantRow(md, "libtorch alone: median step ms, 1 thread; 2 threads", v -> fmt(f.num("torch_t1." + torchTwin(v) + ".median_ms"), "%.0f")
                + "; " + fmt(f.num("torch_t2." + torchTwin(v) + ".median_ms"), "%.0f"), "");
        variantRow(md, "libtorch side by side, 1 thread each: median step ms, process a; b", v ->
                fmt(f.num("torch_pair_a." + torchTwin(v) + ".median_ms"), "%.0f") + "; "
                        + fmt(f.num("torch_pair_b." + torchTwin(v) + ".median_ms"), "%.0f"), "");
        variantRow(md, "bnscope alone: median step ms, 1 thread; 2 threads", v -> fmt(f.num("jvm_t1.fast." + v + ".median_ms"), "%.0f")
                + "; " + fmt(f.num("jvm_t2.fast." + v + ".median_ms"), "%.0f"), "");
        variantRow(md, "bnscope side by side, 1 thread each: median step ms, process a; b", v ->
                fmt(f.num("jvm_pair_a.fast." + v + ".median_ms"), "%.0f") + "; " + fmt(f.num("jvm_pair_b.fast." + v + ".median_ms"), "%.0f"), "");
        for (String[] c : new String[][]{{"alone, 1 thread", "jvm_t1.fast.", "torch_t1."}, {"alone, 2 threads", "jvm_t2.fast.", "torch_t2."}}) {
            variantRow(md, "**bnscope ÷ libtorch**, " + c[0], v -> {
                double ratio = f.num(c[1] + v + ".median_ms") / f.num(c[2] + torchTwin(v) + ".median_ms");
                return times(ratio) + verdict(ratio <= target(v), ratio);
            }, "≤ 1.0 / 1.15 / 1.3");
        }
        variantRow(md, "**bnscope ÷ libtorch**, side by side (mean of the two processes each)", v -> {
            double ratio = pairMean(f, "jvm_pair_a.fast.", "jvm_pair_b.fast.", v + ".median_ms")
                    / pairMean(f, "torch_pair_a.", "torch_pair_b.", torchTwin(v) + ".median_ms");
            return times(ratio) + verdict(ratio <= target(v), ratio);
        }, "≤ 1.0 / 1.15 / 1.3");
        variantRow(md, "**side by side ÷ alone** (1 thread): bnscope; libtorch", v -> {
            double ours = pairMean(f, "jvm_pair_a.fast.", "jvm_pair_b.fast.", v + ".median_ms") / f.num("jvm_t1.fast." + v + ".median_ms");
            double peer = pairMean(f, "torch_pair_a.", "torch_pair_b.", torchTwin(v) + ".median_ms") / f.num("torch_t1." + torchTwin(v) + ".median_ms");
            return times(ours) + verdict(ours <= 1.15, ours) + "; " + times(peer);
        }, "bnscope ≤ 1.15×");
        md.append('\n');
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("per_core", "**per core** (issue 15): the libtorch peer (`run.sh bn|nobn 128 T`) and StepBenchmark's fast path (`--slow-steps 0 "
                + "--dl4j-steps 0`) with OMP_NUM_THREADS = T = 1 and 2, each alone; then two 1-thread processes of the same side "
                + "started together (each peer process compiles its copy first, so their timed steps overlap only mostly). "
                + "Targets (issue 15): bnscope ÷ libtorch ≤ 1.0 standard, ≤ 1.15 batchnorm, ≤ 1.3 noisy (against libtorch with BatchNorm); "
                + "bnscope side by side ÷ alone ≤ 1.15.");
    }
}
