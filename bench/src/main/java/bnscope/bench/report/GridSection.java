package bnscope.bench.report;

import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.BATCH;
import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.torchTwin;
import static bnscope.bench.report.BenchmarkFigures.variantRow;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/**
 * The experiment grid (issue 11): speed-up of a grid over the same cells as single runs one after
 * another, each cell's throughput with two cells at once (one core each) against two 1-thread
 * libtorch processes side by side (the per-core section's torch_pair figures of the same run), and
 * the driver and Spark time per cell outside its training tasks.
 */
public final class GridSection implements BenchmarkSection {
    /** Issue 11's targets. */
    static final double SPEEDUP_TARGET = 1.7;
    static final double PEER_TARGET = 0.8;

    /** Images/s of one 1-thread libtorch process while another runs beside it (mean of the pair's two). */
    static double torchPairImagesPerSecond(BenchmarkFigures f, String variant) {
        String twin = torchTwin(variant);
        double ms = (f.num("torch_pair_a." + twin + ".median_ms") + f.num("torch_pair_b." + twin + ".median_ms")) / 2;
        return BATCH * 1000.0 / ms;
    }

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 1c. Experiment grid: cells as concurrent Spark jobs ").append(n.ref("grid")).append("\n\n")
                .append("| Figure | Value | Target |\n|---|---|---|\n");
        double speedup = f.num("grid.speedup");
        md.append("| cells (variants × seeds), steps each, cells at a time | ").append(fmt(f.num("grid.cells"), "%.0f")).append(", ")
                .append(fmt(f.num("grid.steps"), "%.0f")).append(", ").append(fmt(f.num("grid.parallel"), "%.0f")).append(" | |\n");
        md.append("| the cells as single runs one after another, s | ").append(fmt(f.num("grid.sequential_seconds"), "%.1f")).append(" | |\n");
        md.append("| the cells as one grid, s | ").append(fmt(f.num("grid.grid_seconds"), "%.1f")).append(" | |\n");
        md.append("| **grid speed-up** (single runs ÷ grid) | ").append(times(speedup))
                .append(verdict(speedup >= SPEEDUP_TARGET, speedup)).append(" | ≥ 1.7× |\n");
        md.append("| grid images/s (all cells) | ").append(fmt(f.num("grid.images_per_s"), "%.0f")).append(" | |\n");
        md.append("| grid overhead per cell (wall time outside its training tasks), ms | ")
                .append(fmt(f.num("grid.overhead_ms_per_cell"), "%.0f")).append(" | |\n\n");

        md.append("| Figure | standard | batchnorm | noisy-batchnorm | Target |\n|---|---|---|---|---|\n");
        variantRow(md, "bnscope grid cell images/s (two cells at once, one core each)",
                v -> fmt(f.num("grid." + v + ".cell_images_per_s"), "%.0f"), "");
        variantRow(md, "libtorch images/s per process (two 1-thread processes at once)",
                v -> fmt(torchPairImagesPerSecond(f, v), "%.0f"), "");
        variantRow(md, "**cell throughput ÷ libtorch**", v -> {
            double ratio = f.num("grid." + v + ".cell_images_per_s") / torchPairImagesPerSecond(f, v);
            return times(ratio) + verdict(ratio >= PEER_TARGET, ratio);
        }, "≥ 0.8");
        md.append('\n');
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("grid", "**experiment grid** (issue 11): `GridBenchmark` in one JVM under one embedded local[2] Spark session "
                + "(no JVM or Spark start-up on either side), probes off, spark.workers = 1, evaluation and checkpoints only at the end: "
                + "a discarded warm-up cell, then the variants × seeds as one `train` with train.parallel_cells = 2, then the same cells "
                + "as one `train` each, one after another. A cell's images/s is steps × 128 over its wall time (manifest started_at to "
                + "finished_at, with another cell training beside it), compared with the libtorch pair of the per-core section (same "
                + "run; noisy BatchNorm against libtorch with BatchNorm). Overhead per cell: its wall time minus the run time of the "
                + "training tasks of its Spark job group (the cell id): scheduling, DL4J's count job and set-up, the final test "
                + "evaluation and checkpoint, commits, manifest writes. Targets: speed-up ≥ 1.7×, cell ÷ libtorch ≥ 0.8.");
    }
}
