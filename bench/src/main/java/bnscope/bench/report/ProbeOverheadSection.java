package bnscope.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/** Section 2: what the probes cost, as a whole run (on ÷ off) and one probe at a time in training steps. */
public final class ProbeOverheadSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 2. Probe overhead\n\n| Figure | Value | Target |\n|---|---|---|\n");
        double on = f.num("probes.on.train_seconds");
        double off = f.num("probes.off.train_seconds");
        double wallOn = f.num("probes.on.wall_seconds");
        double wallOff = f.num("probes.off.wall_seconds");
        md.append("| **default run, probes on ÷ off**: training time (process wall time), ").append(f.text("probes.variant"))
                .append(", ").append(f.text("probes.steps")).append(" steps ").append(n.ref("probe_overhead")).append(" | ")
                .append(times(on / off)).append(verdict(on / off <= 1.5, on / off))
                .append(" (").append(times(wallOn / wallOff)).append("): ").append(fmt(on, "%.0f")).append(" s vs ")
                .append(fmt(off, "%.0f")).append(" s (").append(fmt(wallOn, "%.0f")).append(" s vs ").append(fmt(wallOff, "%.0f"))
                .append(" s) | ≤ 1.5× |\n");
        String p = "probe_cost.batchnorm.";
        String cost = n.ref("probe_cost");
        md.append("| one full ICS probe (all weight layers, ics_vectors ").append(f.is(p + "ics_vectors", "true") ? "on" : "off")
                .append("), in training steps ").append(cost).append(" | ").append(fmt(f.num(p + "ics_steps"), "%.1f")).append(" steps (")
                .append(fmt(f.num(p + "ics_ms"), "%.0f")).append(" ms; one step ").append(fmt(f.num(p + "step_ms"), "%.0f")).append(" ms) | |\n");
        md.append("| one landscape probe (").append(f.text(p + "landscape_points")).append(" step sizes), in training steps ").append(cost).append(" | ")
                .append(fmt(f.num(p + "landscape_steps"), "%.1f")).append(" steps (").append(fmt(f.num(p + "landscape_ms"), "%.0f"))
                .append(" ms) | |\n");
        md.append("| one activation probe (all weight layers, ").append(f.text(p + "activations_sample_size"))
                .append("-value samples), in training steps ").append(cost).append(" | ").append(fmt(f.num(p + "activations_steps"), "%.1f")).append(" steps (")
                .append(fmt(f.num(p + "activations_ms"), "%.0f")).append(" ms) | |\n\n");
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("probe_overhead", "**probe overhead**: `./submit.sh train conf/default.conf --set train.variants=[batchnorm] --set train.steps="
                + f.text("probes.steps") + "` with the default probe schedule, then the same with `--set probe.enabled=false`, "
                + "one after the other in this run. Ratio of the manifest's train_seconds (training loop incl. evaluations and checkpoints); "
                + "in brackets the ratio of process wall times (incl. JVM and Spark start-up). The probes' schedule is denser early "
                + "(steps 0, 5, 10, 20, then every 10/20/40), so a short run overstates the overhead of the 240-step default.");
        m.put("probe_cost", "**probe cost** (`bnscope.bench.ProbeCostBenchmark`, single JVM, 2 threads, vgg-mini batchnorm, batch 128, "
                + "default probe settings): rounds of a plain step, a step with one ICS probe, one with one landscape probe and one with one activation probe, each through "
                + "`StepObserver` (as the training hook runs it) into a staged Parquet file; probe time = the observer's `after()` "
                + "(probe passes, rows, exact restore), step time = `net.fit`; medians over " + f.text("probe_cost.batchnorm.rounds")
                + " rounds.");
        return m;
    }
}
