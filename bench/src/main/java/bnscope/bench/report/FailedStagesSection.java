package bnscope.bench.report;

import java.util.List;

/** The benchmark stages that failed in this run (their figures read "n/a" above); absent when none did. */
public final class FailedStagesSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        List<String> failed = f.withPrefix("failed.").stream().map(e -> "- `" + e.getKey() + "`: " + e.getValue()).toList();
        if (!failed.isEmpty()) {
            md.append("## Stages that failed in this run\n\n").append(String.join("\n", failed)).append("\n\n");
        }
    }
}
