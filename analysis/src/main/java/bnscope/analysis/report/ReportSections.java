package bnscope.analysis.report;

import java.util.List;

/** The report's sections, in page order: one line per section. */
public final class ReportSections {
    private ReportSections() {
    }

    public static List<ReportSection> all() {
        return List.of(
                new ClaimsSection(),
                new RunConfigSection(),
                new AccuracySection(),
                new Figure1Section(),
                new Figure2Section(),
                new GradientShiftSection(),
                new LandscapeSection(),
                new SharpnessSection(),
                new MomentChangeSection(),
                new NormalizationSection(),
                new TheorySection(),
                new SurfaceSection());
    }
}
