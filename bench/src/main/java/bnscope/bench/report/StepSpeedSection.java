package bnscope.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.BATCH;
import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.torchTwin;
import static bnscope.bench.report.BenchmarkFigures.variantRow;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/**
 * Section 1: the vgg-mini training step against the libtorch peer, DL4J's own layers, the out-of-the-box
 * path, and the real Spark training job at two averaging frequencies.
 */
public final class StepSpeedSection implements BenchmarkSection {
    /** The averaging frequencies SparkTrainingBenchmark runs (also read by {@link SparkBreakdownSection}). */
    static final int[] FREQUENCIES = {5, 10};
    /** Load above nproc at the end of the run that the benchmark's own threads can explain. */
    static final double OWN_LOAD_MARGIN = 0.5;

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 1. Training step speed: vgg-mini, batch ").append(BATCH).append("\n\n");
        double nproc = f.num("machine.nproc");
        // at the end the benchmark's own last stage keeps about nproc threads busy: only more than that is someone else
        if (f.firstLoad("machine.load_start") > nproc || f.firstLoad("machine.load_end") > nproc + OWN_LOAD_MARGIN) {
            md.append("**Caution: the machine was oversubscribed during this run** (load average above nproc = ")
                    .append(f.text("machine.nproc")).append(" at the start, or above nproc + ").append(OWN_LOAD_MARGIN)
                    .append(" at the end, when the benchmark's own threads count too). On an idle machine the peer README saw libtorch at ~200-240 ms per step ")
                    .append("(≈ 32-38 GFLOP/s) and bnscope's fast path at ~360-430 ms; here libtorch ran at ")
                    .append(fmt(f.num("torch.bn.gflops_at_median"), "%.1f")).append(" GFLOP/s with BN (")
                    .append(fmt(f.num("torch.bn.median_ms"), "%.0f")).append(" ms) and bnscope batchnorm at ")
                    .append(fmt(f.num("jvm.fast.batchnorm.median_ms"), "%.0f")).append(" ms. When the two slowed down by very different ")
                    .append("factors, the ÷ libtorch ratios of this run say more about the load than about the code. The bnscope-only ratios ")
                    .append("(Spark ÷ single JVM, probes on ÷ off) ")
                    .append("compare like with like.\n\n");
        }
        md.append("| Figure | standard | batchnorm | noisy-batchnorm | Target |\n|---|---|---|---|---|\n");
        variantRow(md, "libtorch peer: median step ms (images/s) " + n.ref("torch"), v -> {
            String t = "torch." + torchTwin(v) + ".";
            return torchTwin(v) + ": " + fmt(f.num(t + "median_ms"), "%.0f") + " (" + fmt(BATCH * 1000.0 / f.num(t + "median_ms"), "%.0f") + ")";
        }, "");
        variantRow(md, "bnscope single JVM, fast path: median step ms (min-max); images/s at median (at mean) " + n.ref("jvm"), v -> {
            String p = "jvm.fast." + v + ".";
            return fmt(f.num(p + "median_ms"), "%.0f") + " (" + fmt(f.num(p + "min_ms"), "%.0f") + "-" + fmt(f.num(p + "max_ms"), "%.0f")
                    + "); " + fmt(f.num(p + "images_per_s"), "%.0f") + " (" + fmt(meanImagesPerSecond(f, "jvm", v), "%.0f") + ")";
        }, "");
        variantRow(md, "same, measured again after the Spark runs: median step ms; images/s at mean " + n.ref("jvm"), v ->
                fmt(f.num("jvm_after.fast." + v + ".median_ms"), "%.0f") + "; " + fmt(meanImagesPerSecond(f, "jvm_after", v), "%.0f"), "");
        variantRow(md, "oneDNN layer helpers active (fast path) " + n.ref("jvm"), v -> f.text("jvm.fast." + v + ".helpers"), "all");
        variantRow(md, "DL4J's own layers (`model.implementation=dl4j`, bnscope before issue 15): median step ms; fast path ÷ it " + n.ref("jvm"), v -> {
            double ratio = f.num("jvm.fast." + v + ".median_ms") / f.num("jvm.dl4j." + v + ".median_ms");
            return fmt(f.num("jvm.dl4j." + v + ".median_ms"), "%.0f") + "; " + times(ratio);
        }, "");
        variantRow(md, "convolution backward as libnd4j's one conv2d_bp (`model.conv_backward=combined`, before the split "
                + "backward pass): median step ms; fast path ÷ it " + n.ref("jvm"), v -> {
            double earlier = f.num("jvm.combined." + v + ".median_ms");
            return Double.isNaN(earlier) ? "–" : fmt(earlier, "%.0f") + "; " + times(f.num("jvm.fast." + v + ".median_ms") / earlier);
        }, "");
        variantRow(md, "noise drawn by libnd4j (`noise.generator=nd4j`, the stream before issue 15): median step ms; "
                + "splitmix ÷ it " + n.ref("jvm"), v -> {
            double earlier = f.num("jvm.nd4j_noise." + v + ".median_ms");
            return Double.isNaN(earlier) ? "–" : fmt(earlier, "%.0f") + "; " + times(f.num("jvm.fast." + v + ".median_ms") / earlier);
        }, "");
        variantRow(md, "**bnscope ÷ libtorch**, single-JVM median step " + n.ref("jvm"), v -> {
            double ratio = f.num("jvm.fast." + v + ".median_ms") / f.num("torch." + torchTwin(v) + ".median_ms");
            return times(ratio) + verdict(ratio <= 2.0, ratio);
        }, "≤ 2×");
        variantRow(md, "out of the box (helpers off): median step ms (min-max) " + n.ref("slow"), v -> {
            String p = "jvm.slow." + v + ".";
            return fmt(f.num(p + "median_ms"), "%.0f") + " (" + fmt(f.num(p + "min_ms"), "%.0f") + "-" + fmt(f.num(p + "max_ms"), "%.0f") + ")";
        }, "");
        variantRow(md, "out of the box ÷ libtorch (÷ fast path) " + n.ref("slow"), v -> {
            double slow = f.num("jvm.slow." + v + ".median_ms");
            return times(slow / f.num("torch." + torchTwin(v) + ".median_ms")) + " (" + times(slow / f.num("jvm.fast." + v + ".median_ms")) + ")";
        }, "");
        variantRow(md, "fast vs slow path, relative loss difference: step 0 (identical parameters); max over first 3 steps; max over all "
                + "compared steps " + n.ref("parity"), v -> {
            String p = "jvm.parity." + v + ".";
            return fmt(f.num(p + "rel_loss_diff_step0"), "%.1e") + "; " + fmt(f.num(p + "max_rel_loss_diff_first3"), "%.1e") + "; "
                    + fmt(f.num(p + "max_rel_loss_diff"), "%.1e") + " (" + f.text(p + "steps") + " steps)"
                    + (f.is(p + "same_init", "true") ? "" : " DIFFERENT INIT");
        }, "float tolerance (≤ 1e-3)");
        for (int freq : FREQUENCIES) {
            String s = "spark.f" + freq + ".";
            variantRow(md, "Spark local[2], averaging every " + freq + ": steady images/s (whole variant) " + n.ref("spark"), v ->
                    fmt(f.num(s + v + ".steady_images_per_s"), "%.0f") + " (" + fmt(f.num(s + v + ".wall_images_per_s"), "%.0f") + ")", "");
            variantRow(md, "**Spark local[2] ÷ single JVM**, averaging every " + freq + ", steady (whole variant) " + n.ref("spark"), v -> {
                double single = sparkReference(f, v);
                double ratio = f.num(s + v + ".steady_images_per_s") / single;
                return times(ratio) + verdict(ratio >= 0.8, ratio) + " (" + times(f.num(s + v + ".wall_images_per_s") / single) + ")";
            }, "≥ 0.8×");
        }
        md.append('\n');
    }

    /** Single-JVM images/s from the mean step time: total images over total time, like Spark's throughput. */
    private static double meanImagesPerSecond(BenchmarkFigures f, String measurement, String variant) {
        return BATCH * 1000.0 / f.num(measurement + ".fast." + variant + ".mean_ms");
    }

    /**
     * The single-JVM reference for Spark: images/s at the mean step time, averaged over the measurements
     * before and after the Spark runs (the one before alone if the second is missing).
     */
    private static double sparkReference(BenchmarkFigures f, String variant) {
        double before = meanImagesPerSecond(f, "jvm", variant);
        double after = meanImagesPerSecond(f, "jvm_after", variant);
        return Double.isNaN(after) ? before : (before + after) / 2;
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("torch", "**libtorch**: `../shared/peer/torch-bench/run.sh bn|nobn 128 2 " + f.text("run.torch_warmup", "5") + ' '
                + f.text("run.torch_steps", "30") + "`: the same vgg-mini (BatchNorm after every conv/dense but the last, or none), "
                + "plain SGD lr 0.1, NCHW float32, libtorch 2.10 on 2 threads; median of the timed steps after warm-up. "
                + "noisy-batchnorm is compared with `bn` (libtorch has no noise layer).");
        m.put("jvm", "**single JVM** (`bnscope.bench.StepBenchmark`, OMP_NUM_THREADS=2, ND4J max threads "
                + f.text("jvm.nd4j_max_threads") + "): the network exactly as the run config builds it (`Networks.build`), "
                + "trained with `net.fit` on the first real CIFAR-10 minibatches of the run's own plan (data/cifar10-mini, "
                + "seeded order, loaded before timing); " + f.text("jvm.fast.batchnorm.steps") + " timed steps after warm-up; "
                + "median wall time of one `fit`; images/s = 128 / median (and 128 / mean, the like-for-like reference for Spark's "
                + "total-images-over-total-time throughput). Helpers are read back from the layers (`NativeBackend.layerHelpers`). "
                + "The fast path uses `model.implementation=" + f.text("jvm.fast.batchnorm.implementation", "fused")
                + "`; the `dl4j` row times DL4J's own layers in NCHW (bnscope before issue 15, but with the same noise stream, so "
                + "that the losses compare) right after it, in the same JVM; the `conv_backward=combined` row times the fast path "
                + "with libnd4j's one conv2d_bp per convolution instead of the default `model.conv_backward=auto` (the split "
                + "backward pass on feature maps of 32×32 and more); the `noise.generator=nd4j` row times the fast path "
                + "with libnd4j's noise generator instead of the default splitmix one (other draws from the same law).");
        m.put("slow", "**out of the box**: DL4J's own layers (`model.implementation=dl4j`), with `org.eclipse.deeplearning4j.helpers.disable=true` while the network is built "
                + "(DL4J's built-in Java/BLAS layers: what DL4J 1.0.0-M2 does unless both switches of docs/performance.md are set); "
                + f.text("jvm.slow.batchnorm.steps") + " timed steps, as it is slow.");
        m.put("parity", "**fast vs slow path parity**: both networks start from the same initialization (checked) and train on the same minibatches; "
                + "relative difference of the per-step training losses. Step 0 is the same forward pass at identical parameters (pure "
                + "float rounding); the first steps agree to ≈1e-6 as a rule; over more steps "
                + "they drift apart, because oneDNN and DL4J round differently and, on some minibatches, that flips which input a "
                + "max-pool picks or whether a ReLU input is above zero; that step's gradient then differs by up to ~1e-2 relative "
                + "(measured at identical parameters while writing this benchmark), and SGD at lr 0.1 carries the difference on. "
                + "Both are valid (sub)gradients; `OneDnnParityTest` checks the first 3 steps on 32 examples.");
        m.put("spark", "**Spark local[2]** (`bnscope.bench.SparkTrainingBenchmark`): the real training job (`Main train`, "
                + "conf/default.conf, probes off, spark.workers=2, 64 examples per worker, " + f.text("spark.f5.steps")
                + " steps per variant, eval and checkpoint only at the end), run in the benchmark's JVM with a Spark listener, "
                + "OMP_NUM_THREADS=1 as submit.sh sets. *Steady* images/s: steps × 128 over the time from the end of the first "
                + "split's training job to the end of the last one (the first split pays JIT and native warm-up). *Whole variant*: "
                + "steps × 128 / the manifest's train_seconds (includes the first split and the final test evaluation and checkpoint). "
                + "The breakdown times Spark jobs and tasks with the listener and each local step from the metrics rows' time stamps; "
                + "the count job is DL4J's `count()` before every split, which also loads the split's minibatches into Spark's cache. "
                + "Single-JVM figures exclude data loading (done before timing); Spark's include it. The ratio to the single JVM "
                + "uses the single JVM's mean-step images/s, averaged over its two measurements (before and after the Spark runs); "
                + "in-task images/s (128 / median local step) is compared with the single JVM's median-step images/s, averaged likewise.");
        return m;
    }
}
