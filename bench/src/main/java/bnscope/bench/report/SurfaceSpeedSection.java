package bnscope.bench.report;

import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/** The surface job (issue 12): points/s on one and two cores, the speed-up, and a 31×31 surface's wall time. */
public final class SurfaceSpeedSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## Loss surfaces (`./submit.sh surface`)\n\n| Figure | Value | Target |\n|---|---|---|\n");
        String ref = n.ref("surface");
        if (!f.has("surface.speedup")) {
            md.append("| surface points/s ").append(ref).append(" | **not measured**: the SurfaceBenchmark stage left no figures | |\n\n");
            return;
        }
        double speedup = f.num("surface.speedup");
        md.append("| points/s, local[1] (").append(f.text("surface.grid")).append(", ").append(f.text("surface.sample"))
                .append("-example sample) ").append(ref).append(" | ").append(fmt(f.num("surface.local1.points_per_s"), "%.2f")).append(" | |\n");
        md.append("| points/s, local[2] ").append(ref).append(" | ").append(fmt(f.num("surface.local2.points_per_s"), "%.2f")).append(" | |\n");
        md.append("| **speed-up local[2] ÷ local[1]** ").append(ref).append(" | ").append(times(speedup)).append(verdict(speedup >= 1.7, speedup))
                .append(" | ≥ 1.7× |\n");
        if (f.has("surface.full.wall_s")) {
            md.append("| **").append(f.text("surface.full.grid")).append(" surface wall time, 2 cores** (").append(f.text("surface.full.points"))
                    .append(" points with the line) ").append(ref).append(" | ").append(fmt(f.num("surface.full.wall_s"), "%.0f")).append(" s (Spark job ")
                    .append(fmt(f.num("surface.full.spark_s"), "%.0f")).append(" s) | |\n");
        }
        md.append('\n');
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("surface", "**surface** (`bnscope.bench.SurfaceBenchmark`, one JVM, OMP_NUM_THREADS=1): the surface job on a "
                + "vgg-mini BatchNorm checkpoint, each point one evaluation-mode pass over the training sample. points/s = points ÷ "
                + "the Spark job's time (broadcast, tasks, commit) for the same grid and 8 tasks on local[1] and on local[2], after an "
                + "untimed warm-up surface; the speed-up is their ratio. The 31×31 wall time is the whole job as `./submit.sh surface` runs it (data check, "
                + "direction draw, driver cost estimate, Spark session, tasks, commit) on local[2], 4 tasks per core.");
    }
}
