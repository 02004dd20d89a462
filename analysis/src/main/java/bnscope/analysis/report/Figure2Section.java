package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;

import java.util.List;

/** Fig. 2: standard, BatchNorm and noisy BatchNorm (BatchNorm with injected covariate shift). */
public final class Figure2Section extends HeadedSection {
    public Figure2Section() {
        super("Fig. 2 — Standard, BatchNorm and noisy BatchNorm (injected covariate shift)",
                "fig2",
                List.of("noise.n_mu", "noise.n_sigma", "noise.r_mu", "noise.r_sigma", RunInfo.LEARNING_RATE));
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
            CurveFigures.curvesAndDistribution(ctx, out, "fig2", "Fig. 2", variants);
        }
        out.side();
        out.paper(PaperReference.NOISY_CLAIM + ". " + PaperReference.readOffSummary("Fig. 2") + ".", settings());
    }
}
