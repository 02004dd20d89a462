package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;

import java.util.List;

/** Fig. 1: standard against BatchNorm, training and test curves and one layer's input distribution. */
public final class Figure1Section extends HeadedSection {
    public Figure1Section() {
        super("Fig. 1 — Standard vs. BatchNorm: training and test accuracy, layer-input distributions",
                "fig1",
                List.of(RunInfo.LEARNING_RATE, "train.steps", "probe.activations.every", "probe.activations.layers"));
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
            CurveFigures.curvesAndDistribution(ctx, out, "fig1", "Fig. 1", variants);
        }
        out.side();
        out.paper(PaperReference.readOffSummary("Fig. 1") + "; " + PaperReference.testAccuracySummary()
                + ". See the accuracy table above for this run's values.", settings());
    }
}
