package bnscope.analysis.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The ℓp normalizations of Section 4.2 / Appendix A against BatchNorm and the standard net (only
 * for a run with an ℓp variant), with the deep linear network's loss levels when the run has them.
 */
public final class NormalizationSection implements ReportSection {
    @Override
    public String title() {
        return "ℓp normalization: is BatchNorm the only smoother?";
    }

    @Override
    public String id() {
        return "lp";
    }

    @Override
    public List<String> settings() {
        return List.of("train.variants", RunInfo.LEARNING_RATE, "train.steps");
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
        out.subheading("Paper");
        out.paragraph(PaperReference.LP_CLAIM);
        out.settings(settings());
        out.endRow();
        LossLevels.render(ctx, out, variants);
    }
}
