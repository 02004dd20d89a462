package bnscope.bench;

import bnscope.core.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Renders BENCHMARKS.md from one benchmark run's figures: the {@code key=value} lines that
 * scripts/benchmark.sh collected from the benchmark mains ({@link BenchmarkResults}) and from the
 * machine. Every ratio here divides two figures of that same run. Targets are the project's
 * performance goals; a missed one is reported as such, never asserted.
 *
 * <p>Usage: {@code BenchmarkReport RESULTS_FILE OUTPUT_MD} ({@code --help}).
 */
@Command(name = "BenchmarkReport", mixinStandardHelpOptions = true,
        description = "Renders BENCHMARKS.md from the key=value figures of one scripts/benchmark.sh run.")
public final class BenchmarkReport implements Callable<Integer> {
    private static final String[] VARIANTS = {"standard", "batchnorm", "noisy-batchnorm"};
    private static final int[] FREQUENCIES = {5, 10};
    private static final int BATCH = 128;

    @Parameters(index = "0", paramLabel = "RESULTS_FILE", description = "key=value lines of one benchmark run")
    Path resultsFile;

    @Parameters(index = "1", paramLabel = "OUTPUT_MD", description = "the Markdown file to (over)write")
    Path output;

    private Map<String, String> r;

    public static void main(String[] args) {
        BenchmarkCli.main(new BenchmarkReport(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isReadable(resultsFile)) {
            throw new BadInputException("No readable results file at " + resultsFile
                    + ": expected the key=value lines scripts/benchmark.sh collects. Run scripts/benchmark.sh, which writes it and calls this.");
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : Files.readAllLines(resultsFile, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                results.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        r = results;
        Files.writeString(output, render(), StandardCharsets.UTF_8);
        return 0;
    }

    /** The libtorch variant that has the same layers as a bnscope variant (noise has no libtorch twin). */
    private static String torchTwin(String variant) {
        return "standard".equals(variant) ? "nobn" : "bn";
    }

    String render() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `scripts/benchmark.sh` in one run; rerun it to refresh this file (do not edit by hand). ")
                .append("Every ratio below divides two figures of this same run, because the machine is shared and noisy. ")
                .append("Figures are measurements, not test assertions; bracketed numbers point to *How each figure was measured*.\n\n");
        if ("1".equals(r.get("run.quick"))) {
            md.append("**This was a `--quick` run (few steps): the figures are rough.**\n\n");
        }
        machine(md);
        speed(md);
        perCore(md);
        probes(md);
        storage(md);
        analysis(md);
        sparkBreakdown(md);
        failures(md);
        howMeasured(md);
        return md.toString();
    }

    private void machine(StringBuilder md) {
        md.append("## Machine and run\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date (UTC) | ").append(text("machine.date")).append(" |\n");
        md.append("| git commit | `").append(text("machine.commit")).append('`')
                .append("yes".equals(r.get("machine.dirty")) ? " (with uncommitted changes)" : "").append(" |\n");
        md.append("| CPU | ").append(text("machine.cpu")).append(", nproc = ").append(text("machine.nproc")).append(" |\n");
        md.append("| load average (1, 5, 15 min) | at start ").append(text("machine.load_start")).append("; at end ")
                .append(text("machine.load_end")).append(" |\n");
        md.append("| Java | ").append(text("machine.java")).append(" |\n");
        md.append("| benchmark wall time | ").append(fmt(num("machine.seconds") / 60, "%.1f")).append(" min |\n\n");
        md.append("A load average above nproc means other processes were competing for the cores during the run; ")
                .append("absolute times then rise, and ratios stay comparable only because both sides ran under similar load.\n\n");
    }

    private void speed(StringBuilder md) {
        md.append("## 1. Training step speed: vgg-mini, batch ").append(BATCH).append("\n\n");
        double nproc = num("machine.nproc");
        if (firstLoad("machine.load_start") > nproc || firstLoad("machine.load_end") > nproc) {
            md.append("**Caution: the machine was oversubscribed during this run** (load average above nproc = ")
                    .append(text("machine.nproc")).append("). On an idle machine the peer README saw libtorch at ~200-240 ms per step ")
                    .append("(≈ 32-38 GFLOP/s) and bnscope's fast path at ~360-430 ms; here libtorch ran at ")
                    .append(fmt(num("torch.bn.gflops_at_median"), "%.1f")).append(" GFLOP/s with BN (")
                    .append(fmt(num("torch.bn.median_ms"), "%.0f")).append(" ms) and bnscope batchnorm at ")
                    .append(fmt(num("jvm.fast.batchnorm.median_ms"), "%.0f")).append(" ms. When the two slowed down by very different ")
                    .append("factors, the ÷ libtorch ratios of this run say more about the load than about the code. The bnscope-only ratios ")
                    .append("(Spark ÷ single JVM, probes on ÷ off) ")
                    .append("compare like with like.\n\n");
        }
        md.append("| Figure | standard | batchnorm | noisy-batchnorm | Target |\n|---|---|---|---|---|\n");
        row(md, "libtorch peer: median step ms (images/s) [1]", v -> {
            String t = "torch." + torchTwin(v) + ".";
            return torchTwin(v) + ": " + fmt(num(t + "median_ms"), "%.0f") + " (" + fmt(BATCH * 1000.0 / num(t + "median_ms"), "%.0f") + ")";
        }, "");
        row(md, "bnscope single JVM, fast path: median step ms (min-max); images/s at median (at mean) [2]", v -> {
            String p = "jvm.fast." + v + ".";
            return fmt(num(p + "median_ms"), "%.0f") + " (" + fmt(num(p + "min_ms"), "%.0f") + "-" + fmt(num(p + "max_ms"), "%.0f")
                    + "); " + fmt(num(p + "images_per_s"), "%.0f") + " (" + fmt(singleJvmMeanImagesPerSecond(v), "%.0f") + ")";
        }, "");
        row(md, "same, measured again after the Spark runs: median step ms; images/s at mean [2]", v ->
                fmt(num("jvm_after.fast." + v + ".median_ms"), "%.0f") + "; " + fmt(BATCH * 1000.0 / num("jvm_after.fast." + v + ".mean_ms"), "%.0f"), "");
        row(md, "oneDNN layer helpers active (fast path) [2]", v -> text("jvm.fast." + v + ".helpers"), "all");
        row(md, "DL4J's own layers (`model.implementation=dl4j`, bnscope before issue 15): median step ms; fast path ÷ it [2]", v -> {
            double ratio = num("jvm.fast." + v + ".median_ms") / num("jvm.dl4j." + v + ".median_ms");
            return fmt(num("jvm.dl4j." + v + ".median_ms"), "%.0f") + "; " + times(ratio);
        }, "");
        row(md, "**bnscope ÷ libtorch**, single-JVM median step [2]", v -> {
            double ratio = num("jvm.fast." + v + ".median_ms") / num("torch." + torchTwin(v) + ".median_ms");
            return times(ratio) + verdict(ratio <= 2.0, ratio);
        }, "≤ 2×");
        row(md, "out of the box (helpers off): median step ms (min-max) [3]", v -> {
            String p = "jvm.slow." + v + ".";
            return fmt(num(p + "median_ms"), "%.0f") + " (" + fmt(num(p + "min_ms"), "%.0f") + "-" + fmt(num(p + "max_ms"), "%.0f") + ")";
        }, "");
        row(md, "out of the box ÷ libtorch (÷ fast path) [3]", v -> {
            double slow = num("jvm.slow." + v + ".median_ms");
            return times(slow / num("torch." + torchTwin(v) + ".median_ms")) + " (" + times(slow / num("jvm.fast." + v + ".median_ms")) + ")";
        }, "");
        row(md, "fast vs slow path, relative loss difference: step 0 (identical parameters); max over first 3 steps; max over all "
                + "compared steps [4]", v -> {
            String p = "jvm.parity." + v + ".";
            return fmt(num(p + "rel_loss_diff_step0"), "%.1e") + "; " + fmt(num(p + "max_rel_loss_diff_first3"), "%.1e") + "; "
                    + fmt(num(p + "max_rel_loss_diff"), "%.1e") + " (" + text(p + "steps") + " steps)"
                    + ("true".equals(r.get(p + "same_init")) ? "" : " DIFFERENT INIT");
        }, "float tolerance (≤ 1e-3)");
        for (int f : FREQUENCIES) {
            String s = "spark.f" + f + ".";
            row(md, "Spark local[2], averaging every " + f + ": steady images/s (whole variant) [5]", v ->
                    fmt(num(s + v + ".steady_images_per_s"), "%.0f") + " (" + fmt(num(s + v + ".wall_images_per_s"), "%.0f") + ")", "");
            row(md, "**Spark local[2] ÷ single JVM**, averaging every " + f + ", steady (whole variant) [5]", v -> {
                double single = sparkReference(v);
                double ratio = num(s + v + ".steady_images_per_s") / single;
                return times(ratio) + verdict(ratio >= 0.8, ratio) + " (" + times(num(s + v + ".wall_images_per_s") / single) + ")";
            }, "≥ 0.8×");
        }
        md.append('\n');
    }

    /** Issue 15's targets for bnscope ÷ libtorch per variant (noisy against libtorch with BatchNorm). */
    private static double perCoreTarget(String variant) {
        return switch (variant) {
            case "standard" -> 1.0;
            case "batchnorm" -> 1.15;
            default -> 1.3;
        };
    }

    /** Mean of the two side-by-side processes' medians (NaN if either is missing). */
    private double pairMedian(String prefixA, String prefixB, String key) {
        return (num(prefixA + key) + num(prefixB + key)) / 2;
    }

    /**
     * Per-core speed (issue 15): each side alone at 1 and 2 native threads, and two 1-thread
     * processes of the same side at once (one grid cell per core).
     */
    private void perCore(StringBuilder md) {
        md.append("## 1b. Per core: 1 and 2 threads alone, two 1-thread processes side by side [10]\n\n")
                .append("| Figure | standard | batchnorm | noisy-batchnorm | Target |\n|---|---|---|---|---|\n");
        row(md, "libtorch alone: median step ms, 1 thread; 2 threads", v -> fmt(num("torch_t1." + torchTwin(v) + ".median_ms"), "%.0f")
                + "; " + fmt(num("torch_t2." + torchTwin(v) + ".median_ms"), "%.0f"), "");
        row(md, "libtorch side by side, 1 thread each: median step ms, process a; b", v ->
                fmt(num("torch_pair_a." + torchTwin(v) + ".median_ms"), "%.0f") + "; "
                        + fmt(num("torch_pair_b." + torchTwin(v) + ".median_ms"), "%.0f"), "");
        row(md, "bnscope alone: median step ms, 1 thread; 2 threads", v -> fmt(num("jvm_t1.fast." + v + ".median_ms"), "%.0f")
                + "; " + fmt(num("jvm_t2.fast." + v + ".median_ms"), "%.0f"), "");
        row(md, "bnscope side by side, 1 thread each: median step ms, process a; b", v ->
                fmt(num("jvm_pair_a.fast." + v + ".median_ms"), "%.0f") + "; " + fmt(num("jvm_pair_b.fast." + v + ".median_ms"), "%.0f"), "");
        for (String[] c : new String[][]{{"alone, 1 thread", "jvm_t1.fast.", "torch_t1."}, {"alone, 2 threads", "jvm_t2.fast.", "torch_t2."}}) {
            row(md, "**bnscope ÷ libtorch**, " + c[0], v -> {
                double ratio = num(c[1] + v + ".median_ms") / num(c[2] + torchTwin(v) + ".median_ms");
                return times(ratio) + verdict(ratio <= perCoreTarget(v), ratio);
            }, "≤ 1.0 / 1.15 / 1.3");
        }
        row(md, "**bnscope ÷ libtorch**, side by side (mean of the two processes each)", v -> {
            double ratio = pairMedian("jvm_pair_a.fast.", "jvm_pair_b.fast.", v + ".median_ms")
                    / pairMedian("torch_pair_a.", "torch_pair_b.", torchTwin(v) + ".median_ms");
            return times(ratio) + verdict(ratio <= perCoreTarget(v), ratio);
        }, "≤ 1.0 / 1.15 / 1.3");
        row(md, "**side by side ÷ alone** (1 thread): bnscope; libtorch", v -> {
            double ours = pairMedian("jvm_pair_a.fast.", "jvm_pair_b.fast.", v + ".median_ms") / num("jvm_t1.fast." + v + ".median_ms");
            double peer = pairMedian("torch_pair_a.", "torch_pair_b.", torchTwin(v) + ".median_ms") / num("torch_t1." + torchTwin(v) + ".median_ms");
            return times(ours) + verdict(ours <= 1.15, ours) + "; " + times(peer);
        }, "bnscope ≤ 1.15×");
        md.append('\n');
    }

    /** Single-JVM images/s from the mean step time: total images over total time, like Spark's throughput. */
    private double singleJvmMeanImagesPerSecond(String variant) {
        return BATCH * 1000.0 / num("jvm.fast." + variant + ".mean_ms");
    }

    /**
     * The single-JVM reference for Spark: images/s at the mean step time, averaged over the measurements
     * before and after the Spark runs (the one before alone if the second is missing).
     */
    private double sparkReference(String variant) {
        double before = singleJvmMeanImagesPerSecond(variant);
        double after = BATCH * 1000.0 / num("jvm_after.fast." + variant + ".mean_ms");
        return Double.isNaN(after) ? before : (before + after) / 2;
    }

    /** Single-JVM images/s at the median step, averaged before and after the Spark runs. */
    private double medianReference(String variant) {
        double before = num("jvm.fast." + variant + ".images_per_s");
        double after = num("jvm_after.fast." + variant + ".images_per_s");
        return Double.isNaN(after) ? before : (before + after) / 2;
    }

    private void probes(StringBuilder md) {
        md.append("## 2. Probe overhead\n\n| Figure | Value | Target |\n|---|---|---|\n");
        double on = num("probes.on.train_seconds");
        double off = num("probes.off.train_seconds");
        double wallOn = num("probes.on.wall_seconds");
        double wallOff = num("probes.off.wall_seconds");
        md.append("| **default run, probes on ÷ off**: training time (process wall time), ").append(text("probes.variant"))
                .append(", ").append(text("probes.steps")).append(" steps [6] | ").append(times(on / off)).append(verdict(on / off <= 1.5, on / off))
                .append(" (").append(times(wallOn / wallOff)).append("): ").append(fmt(on, "%.0f")).append(" s vs ")
                .append(fmt(off, "%.0f")).append(" s (").append(fmt(wallOn, "%.0f")).append(" s vs ").append(fmt(wallOff, "%.0f"))
                .append(" s) | ≤ 1.5× |\n");
        String p = "probe_cost.batchnorm.";
        md.append("| one full ICS probe (all weight layers, ics_vectors ").append("true".equals(r.get(p + "ics_vectors")) ? "on" : "off")
                .append("), in training steps [7] | ").append(fmt(num(p + "ics_steps"), "%.1f")).append(" steps (")
                .append(fmt(num(p + "ics_ms"), "%.0f")).append(" ms; one step ").append(fmt(num(p + "step_ms"), "%.0f")).append(" ms) | |\n");
        md.append("| one landscape probe (").append(text(p + "landscape_points")).append(" step sizes), in training steps [7] | ")
                .append(fmt(num(p + "landscape_steps"), "%.1f")).append(" steps (").append(fmt(num(p + "landscape_ms"), "%.0f"))
                .append(" ms) | |\n");
        md.append("| one activation probe (all weight layers, ").append(text(p + "activations_sample_size"))
                .append("-value samples), in training steps [7] | ").append(fmt(num(p + "activations_steps"), "%.1f")).append(" steps (")
                .append(fmt(num(p + "activations_ms"), "%.0f")).append(" ms) | |\n\n");
    }

    private void storage(StringBuilder md) {
        md.append("## 3. Storage\n\n| Figure | Value | Target |\n|---|---|---|\n");
        double b = num("storage.bytes_per_value");
        md.append("| **bytes on disk per stored gradient value**, ics_vectors [8] | ").append(fmt(b, "%.2f")).append(" B")
                .append(verdict(b <= 4.5, b)).append(" (").append(text("storage.bytes")).append(" bytes / ").append(text("storage.values"))
                .append(" values in ").append(text("storage.rows")).append(" rows, ").append(text("storage.files")).append(" files) | ≤ 4.5 |\n\n");
    }

    private void analysis(StringBuilder md) {
        md.append("## 4. Analysis: ics_metrics throughput\n\n| Figure | Value |\n|---|---|\n");
        if (r.get("analysis.class") == null) {
            md.append("| ics_metrics throughput ratio [9] | **not measured yet**: no `bnscope.bench.IcsVectorBenchmark` class exists in bench/ at this commit |\n\n");
            return;
        }
        List<String> lines = new ArrayList<>();
        r.forEach((k, v) -> {
            if (k.startsWith("analysis.") && !k.equals("analysis.class")) {
                lines.add("`" + k.substring("analysis.".length()) + "` = " + v);
            }
        });
        double ratio = num("analysis.throughput_ratio");
        md.append("| **ics_metrics throughput ÷ bare scan** (target ≥ 0.5) [9] | ").append(fmt(ratio, "%.2f"))
                .append(verdict(ratio >= 0.5, ratio)).append(" |\n");
        md.append("| ").append(text("analysis.class")).append(" [9] | ")
                .append(lines.isEmpty() ? "no output (see failures)" : String.join("<br>", lines)).append(" |\n\n");
    }

    private void sparkBreakdown(StringBuilder md) {
        md.append("## Where a Spark split's time goes [5]\n\n");
        md.append("Means over the steady splits (all but the first) of each variant. split = count job + training job + driver; ")
                .append("inside the training job each of the 2 tasks: start-up, local steps, tail.\n\n");
        md.append("| averaging | variant | split ms (slowest) | count job ms | training job ms | driver between jobs ms | task start-up ms | task step ms | task tail ms | in-task images/s (÷ single JVM) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (int f : FREQUENCIES) {
            for (String v : VARIANTS) {
                String p = "spark.f" + f + "." + v + ".";
                md.append("| ").append(f).append(" | ").append(v).append(" | ").append(fmt(num(p + "split_ms"), "%.0f"))
                        .append(" (").append(fmt(num(p + "slowest_split_ms"), "%.0f")).append(") | ").append(fmt(num(p + "count_job_ms"), "%.0f")).append(" | ").append(fmt(num(p + "train_job_ms"), "%.0f"))
                        .append(" | ").append(fmt(num(p + "driver_between_jobs_ms"), "%.0f")).append(" | ")
                        .append(fmt(num(p + "task_startup_ms"), "%.0f")).append(" | ").append(fmt(num(p + "task_step_ms"), "%.0f"))
                        .append(" | ").append(fmt(num(p + "task_tail_ms"), "%.0f")).append(" | ")
                        .append(fmt(num(p + "in_task_images_per_s"), "%.0f")).append(" (")
                        .append(times(num(p + "in_task_images_per_s") / medianReference(v))).append(") |\n");
            }
        }
        md.append('\n');
    }

    private void failures(StringBuilder md) {
        List<String> failed = new ArrayList<>();
        r.forEach((k, v) -> {
            if (k.startsWith("failed.")) {
                failed.add("- `" + k.substring("failed.".length()) + "`: " + v);
            }
        });
        if (!failed.isEmpty()) {
            md.append("## Stages that failed in this run\n\n").append(String.join("\n", failed)).append("\n\n");
        }
    }

    private void howMeasured(StringBuilder md) {
        md.append("## How each figure was measured\n\n");
        md.append("1. **libtorch**: `../shared/peer/torch-bench/run.sh bn|nobn 128 2 ").append(text("run.torch_warmup", "5")).append(' ')
                .append(text("run.torch_steps", "30")).append("`: the same vgg-mini (BatchNorm after every conv/dense but the last, or none), ")
                .append("plain SGD lr 0.1, NCHW float32, libtorch 2.10 on 2 threads; median of the timed steps after warm-up. ")
                .append("noisy-batchnorm is compared with `bn` (libtorch has no noise layer).\n");
        md.append("2. **single JVM** (`bnscope.bench.StepBenchmark`, OMP_NUM_THREADS=2, ND4J max threads ")
                .append(text("jvm.nd4j_max_threads")).append("): the network exactly as the run config builds it (`Networks.build`), ")
                .append("trained with `net.fit` on the first real CIFAR-10 minibatches of the run's own plan (data/cifar10-mini, ")
                .append("seeded order, loaded before timing); ").append(text("jvm.fast.batchnorm.steps")).append(" timed steps after warm-up; ")
                .append("median wall time of one `fit`; images/s = 128 / median (and 128 / mean, the like-for-like reference for Spark's ")
                .append("total-images-over-total-time throughput). Helpers are read back from the layers (`NativeBackend.layerHelpers`). ")
                .append("The fast path uses `model.implementation=").append(text("jvm.fast.batchnorm.implementation", "fused"))
                .append("`; the `dl4j` row times DL4J's own layers in NCHW (bnscope before issue 15) right after it, in the same JVM.\n");
        md.append("3. **out of the box**: DL4J's own layers (`model.implementation=dl4j`), with `org.eclipse.deeplearning4j.helpers.disable=true` while the network is built ")
                .append("(DL4J's built-in Java/BLAS layers: what DL4J 1.0.0-M2 does unless both switches of docs/performance.md are set); ")
                .append(text("jvm.slow.batchnorm.steps")).append(" timed steps, as it is slow.\n");
        md.append("4. **fast vs slow path parity**: both networks start from the same initialization (checked) and train on the same minibatches; ")
                .append("relative difference of the per-step training losses. Step 0 is the same forward pass at identical parameters (pure ")
                .append("float rounding); the first steps agree to ≈1e-6 as a rule; over more steps ")
                .append("they drift apart, because oneDNN and DL4J round differently and, on some minibatches, that flips which input a ")
                .append("max-pool picks or whether a ReLU input is above zero; that step's gradient then differs by up to ~1e-2 relative ")
                .append("(measured at identical parameters while writing this benchmark), and SGD at lr 0.1 carries the difference on. ")
                .append("Both are valid (sub)gradients; `OneDnnParityTest` checks the first 3 steps on 32 examples.\n");
        md.append("5. **Spark local[2]** (`bnscope.bench.SparkTrainingBenchmark`): the real training job (`Main train`, ")
                .append("conf/default.conf, probes off, spark.workers=2, 64 examples per worker, ").append(text("spark.f5.steps"))
                .append(" steps per variant, eval and checkpoint only at the end), run in the benchmark's JVM with a Spark listener, ")
                .append("OMP_NUM_THREADS=1 as submit.sh sets. *Steady* images/s: steps × 128 over the time from the end of the first ")
                .append("split's training job to the end of the last one (the first split pays JIT and native warm-up). *Whole variant*: ")
                .append("steps × 128 / the manifest's train_seconds (includes the first split and the final test evaluation and checkpoint). ")
                .append("The breakdown times Spark jobs and tasks with the listener and each local step from the metrics rows' time stamps; ")
                .append("the count job is DL4J's `count()` before every split, which also loads the split's minibatches into Spark's cache. ")
                .append("Single-JVM figures exclude data loading (done before timing); Spark's include it. The ratio to the single JVM ")
                .append("uses the single JVM's mean-step images/s, averaged over its two measurements (before and after the Spark runs); ")
                .append("in-task images/s (128 / median local step) is compared with the single JVM's median-step images/s, averaged likewise.\n");
        md.append("6. **probe overhead**: `./submit.sh train conf/default.conf --set train.variants=[batchnorm] --set train.steps=")
                .append(text("probes.steps")).append("` with the default probe schedule, then the same with `--set probe.enabled=false`, ")
                .append("one after the other in this run. Ratio of the manifest's train_seconds (training loop incl. evaluations and checkpoints); ")
                .append("in brackets the ratio of process wall times (incl. JVM and Spark start-up). The probes' schedule is denser early ")
                .append("(steps 0, 5, 10, 20, then every 10/20/40), so a short run overstates the overhead of the 240-step default.\n");
        md.append("7. **probe cost** (`bnscope.bench.ProbeCostBenchmark`, single JVM, 2 threads, vgg-mini batchnorm, batch 128, ")
                .append("default probe settings): rounds of a plain step, a step with one ICS probe, one with one landscape probe and one with one activation probe, each through ")
                .append("`StepObserver` (as the training hook runs it) into a staged Parquet file; probe time = the observer's `after()` ")
                .append("(probe passes, rows, exact restore), step time = `net.fit`; medians over ").append(text("probe_cost.batchnorm.rounds"))
                .append(" rounds.\n");
        md.append("8. **storage** (`bnscope.bench.StorageBenchmark`): total size of the probes-on run's ics_vectors Parquet files ÷ ")
                .append("the number of float values in their `g` and `g_prime` lists (read back with parquet-avro). Raw float32 is 4 bytes.\n");
        md.append("9. **ics_metrics throughput** (`bnscope.bench.IcsVectorBenchmark`, local Spark in one JVM): synthetic G/G' ")
                .append("vectors (2 workers x 50 steps x 8 layers x 100,000 floats each of G and G' = 160 M values, about 5 ICS probes of vgg16 (15 M weights) on one worker; chunks of 4,096) written in the ics_vectors layout; ")
                .append("values/s of the ics_metrics job (SQL recomputation from the chunks, write, check against the scalars) ")
                .append("÷ values/s of a bare scan `SELECT sum(size(g)) + sum(size(g_prime))` of the same files, best of 3 each. Target ≥ 0.5.\n");
        md.append("10. **per core** (issue 15): the libtorch peer (`run.sh bn|nobn 128 T`) and StepBenchmark's fast path (`--slow-steps 0 ")
                .append("--dl4j-steps 0`) with OMP_NUM_THREADS = T = 1 and 2, each alone; then two 1-thread processes of the same side ")
                .append("started together (each peer process compiles its copy first, so their timed steps overlap only mostly). ")
                .append("Targets (issue 15): bnscope ÷ libtorch ≤ 1.0 standard, ≤ 1.15 batchnorm, ≤ 1.3 noisy (against libtorch with BatchNorm); ")
                .append("bnscope side by side ÷ alone ≤ 1.15.\n");
    }

    /** Appends a table row with one cell per variant. */
    private void row(StringBuilder md, String figure, java.util.function.Function<String, String> cell, String target) {
        md.append("| ").append(figure);
        for (String v : VARIANTS) {
            String value;
            try {
                value = cell.apply(v);
            } catch (RuntimeException e) {
                value = "n/a";
            }
            md.append(" | ").append(value);
        }
        md.append(" | ").append(target).append(" |\n");
    }

    /** The 1-minute figure of a recorded load average ("1min 5min 15min"). */
    private double firstLoad(String key) {
        String v = r.get(key);
        if (v == null || v.isBlank()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private double num(String key) {
        String v = r.get(key);
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private String text(String key) {
        return text(key, "n/a");
    }

    private String text(String key, String def) {
        String v = r.get(key);
        return v == null || v.isBlank() ? def : v.replace("|", "\\|");
    }

    private static String fmt(double x, String pattern) {
        return Double.isNaN(x) || Double.isInfinite(x) ? "n/a" : String.format(Locale.ROOT, pattern, x);
    }

    private static String times(double ratio) {
        return fmt(ratio, "%.2f") + (Double.isNaN(ratio) || Double.isInfinite(ratio) ? "" : "×");
    }

    private static String verdict(boolean meets, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "";
        }
        return meets ? " (meets)" : " (**misses**)";
    }
}
