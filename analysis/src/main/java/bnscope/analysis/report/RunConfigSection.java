package bnscope.analysis.report;

import java.util.List;

/** The run's resolved config as recorded in manifest.json at training time: shown once, in full. */
public final class RunConfigSection extends HeadedSection {
    /** The anchor the other sections' settings notes link to. */
    public static final String ID = "config";

    public RunConfigSection() {
        super("Run config",
                ID,
                List.of());
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        RunInfo run = ctx.run();
        if (run.config().isEmpty()) {
            out.absent(run.hasManifest() ? "manifest.json has no config object." : "The run has no manifest.json.");
        } else {
            out.table(List.of("key", "value"), run.config().entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
        }
    }
}
