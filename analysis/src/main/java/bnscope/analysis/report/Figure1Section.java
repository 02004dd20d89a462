package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;

import java.util.List;

/** Fig. 1: standard against BatchNorm, training and test curves and one layer's input distribution. */
public final class Figure1Section implements ReportSection {
    @Override
    public String title() {
        return "Fig. 1 — Standard vs. BatchNorm: training and test accuracy, layer-input distributions";
    }

    @Override
    public String id() {
        return "fig1";
    }

    @Override
    public List<String> settings() {
        return List.of(RunInfo.LEARNING_RATE, "train.steps", "probe.activations.every", "probe.activations.layers");
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("Training (smoothed minibatch) and test accuracy over steps, and the 5th, 50th and 95th percentile of one "
                + "layer's input over training. The paper's point: " + PaperReference.FIG1_CLAIM + ".");
        List<String> variants = ctx.presentAmong(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM));
        out.row();
        if (!ctx.has(MetricTables.CURVES)) {
            out.absent("No curves table: no accuracy figure.");
        } else if (variants.isEmpty()) {
            out.absent("The run has neither a standard nor a batchnorm variant.");
        } else {
            CurveFigures.curves(ctx, out, "fig1_accuracy.png", "Fig. 1: " + ctx.curveMeasure(), variants);
            CurveFigures.distribution(ctx, out, "fig1_distribution.png", "Fig. 1: input distribution", variants);
        }
        out.side();
        out.subheading("Paper");
        out.paragraph(PaperReference.readOffSummary("Fig. 1") + "; " + PaperReference.testAccuracySummary()
                + ". See the accuracy table above for this run's values.");
        out.settings(settings());
        out.endRow();
    }
}
