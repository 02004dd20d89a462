package bnscope.bench.report;

import java.util.List;
import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/** Section 4: the ics_metrics job's throughput against a bare Spark scan of the same stored vectors. */
public final class IcsThroughputSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 4. Analysis: ics_metrics throughput\n\n| Figure | Value |\n|---|---|\n");
        String ref = n.ref("ics_throughput");
        if (!f.has("analysis.class")) {
            md.append("| ics_metrics throughput ratio ").append(ref)
                    .append(" | **not measured**: the IcsVectorBenchmark stage left no figures (see failures) |\n\n");
            return;
        }
        List<String> lines = f.withPrefix("analysis.").stream().filter(e -> !e.getKey().equals("class"))
                .map(e -> "`" + e.getKey() + "` = " + e.getValue()).toList();
        double ratio = f.num("analysis.throughput_ratio");
        md.append("| **ics_metrics throughput ÷ bare scan** (target ≥ 0.5) ").append(ref).append(" | ").append(fmt(ratio, "%.2f"))
                .append(verdict(ratio >= 0.5, ratio)).append(" |\n");
        md.append("| ").append(f.text("analysis.class")).append(' ').append(ref).append(" | ")
                .append(lines.isEmpty() ? "no output (see failures)" : String.join("<br>", lines)).append(" |\n\n");
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("ics_throughput", "**ics_metrics throughput** (`bnscope.bench.IcsVectorBenchmark`, local Spark in one JVM): synthetic G/G' "
                + "vectors (2 workers x 50 steps x 8 layers x 100,000 floats each of G and G' = 160 M values, about 5 ICS probes of vgg16 (15 M weights) on one worker; chunks of 4,096) written in the ics_vectors layout; "
                + "values/s of the ics_metrics job (recomputation from the chunks, write, check against the scalars; as shipped, it reads the "
                + "vectors' Parquet pages itself) ÷ values/s of a bare Spark SQL scan `SELECT sum(size(g)) + sum(size(g_prime))` of the same "
                + "files (Spark's reader, its default batch), best of 3 each. Target ≥ 0.5; above 1 the job reads the vectors faster than Spark's own scan does.");
    }
}
