package bnscope.analysis.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The ℓp normalizations of Section 4.2 / Appendix A against BatchNorm and the standard net (only
 * for a run with an ℓp variant), with the deep linear network's loss levels when the run has them.
 */
public final class NormalizationSection extends HeadedSection {
    public NormalizationSection() {
        super("ℓp normalization: is BatchNorm the only smoother?",
                "lp",
                List.of("train.variants", RunInfo.LEARNING_RATE, "train.steps"));
    }

    @Override
    public boolean appliesTo(ReportContext ctx) {
        return !ctx.presentAmong(PaperReference.LP_NORMS).isEmpty();
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        List<String> wanted = new ArrayList<>(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM));
        wanted.addAll(PaperReference.LP_NORMS);
        List<String> variants = ctx.presentAmong(wanted);
        out.row();
        CurveFigures.curves(ctx, out, "lp_accuracy.png", "ℓp normalization: " + ctx.curveMeasure(), variants);
        out.side();
        out.paper(PaperReference.LP_CLAIM, settings());
        LossLevels.render(ctx, out, variants);
    }
}
