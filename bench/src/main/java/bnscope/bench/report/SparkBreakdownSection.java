package bnscope.bench.report;

import static bnscope.bench.report.BenchmarkFigures.VARIANTS;
import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;

/** Where a Spark averaging split's time goes: jobs, driver, and each training task's start-up, steps and tail. */
public final class SparkBreakdownSection implements BenchmarkSection {

    /** Single-JVM images/s at the median step, averaged before and after the Spark runs. */
    private static double medianReference(BenchmarkFigures f, String variant) {
        double before = f.num("jvm.fast." + variant + ".images_per_s");
        double after = f.num("jvm_after.fast." + variant + ".images_per_s");
        return Double.isNaN(after) ? before : (before + after) / 2;
    }

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## Where a Spark split's time goes ").append(n.ref("spark")).append("\n\n");
        md.append("Means over the steady splits (all but the first) of each variant. split = count job + training job + driver; ")
                .append("inside the training job each of the 2 tasks: start-up, local steps, tail.\n\n");
        md.append("| averaging | variant | split ms (slowest) | count job ms | training job ms | driver between jobs ms | task start-up ms | task step ms | task tail ms | in-task images/s (÷ single JVM) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (int freq : StepSpeedSection.FREQUENCIES) {
            for (String v : VARIANTS) {
                String p = "spark.f" + freq + "." + v + ".";
                md.append("| ").append(freq).append(" | ").append(v).append(" | ").append(fmt(f.num(p + "split_ms"), "%.0f"))
                        .append(" (").append(fmt(f.num(p + "slowest_split_ms"), "%.0f")).append(") | ").append(fmt(f.num(p + "count_job_ms"), "%.0f"))
                        .append(" | ").append(fmt(f.num(p + "train_job_ms"), "%.0f"))
                        .append(" | ").append(fmt(f.num(p + "driver_between_jobs_ms"), "%.0f")).append(" | ")
                        .append(fmt(f.num(p + "task_startup_ms"), "%.0f")).append(" | ").append(fmt(f.num(p + "task_step_ms"), "%.0f"))
                        .append(" | ").append(fmt(f.num(p + "task_tail_ms"), "%.0f")).append(" | ")
                        .append(fmt(f.num(p + "in_task_images_per_s"), "%.0f")).append(" (")
                        .append(times(f.num(p + "in_task_images_per_s") / medianReference(f, v))).append(") |\n");
            }
        }
        md.append('\n');
    }
}
