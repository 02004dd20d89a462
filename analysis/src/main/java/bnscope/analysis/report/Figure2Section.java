package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;

import java.util.List;

/** Fig. 2: standard, BatchNorm and noisy BatchNorm (BatchNorm with injected covariate shift). */
public final class Figure2Section implements ReportSection {
    @Override
    public String title() {
        return "Fig. 2 — Standard, BatchNorm and noisy BatchNorm (injected covariate shift)";
    }

    @Override
    public String id() {
        return "fig2";
    }

    @Override
    public List<String> settings() {
        return List.of("noise.n_mu", "noise.n_sigma", "noise.r_mu", "noise.r_sigma", RunInfo.LEARNING_RATE);
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("Noisy BatchNorm adds a random, time-varying shift and scale after every BatchNorm layer (paper: "
                + PaperReference.NOISE_SETTINGS + "). If BatchNorm helped by reducing internal covariate shift, the noise should hurt.");
        out.row();
        List<String> variants = ctx.presentAmong(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM, PaperReference.NOISY));
        if (!ctx.has(MetricTables.CURVES)) {
            out.absent("No curves table: no accuracy figure.");
        } else if (!variants.contains(PaperReference.NOISY)) {
            out.absent("This run has no noisy-batchnorm variant; Fig. 2 needs it.");
        } else {
            CurveFigures.curves(ctx, out, "fig2_accuracy.png", "Fig. 2: " + ctx.curveMeasure(), variants);
            CurveFigures.distribution(ctx, out, "fig2_distribution.png", "Fig. 2: input distribution", variants);
        }
        out.side();
        out.subheading("Paper");
        out.paragraph(PaperReference.NOISY_CLAIM + ". " + PaperReference.readOffSummary("Fig. 2") + ".");
        out.settings(settings());
        out.endRow();
    }
}
