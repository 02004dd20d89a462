package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.*;

/** Fig. 4: the loss landscape along the gradient (loss band, gradient predictiveness, effective β-smoothness). */
public final class LandscapeSection extends HeadedSection {
    public LandscapeSection() {
        super("Fig. 4 — Loss landscape along the gradient: loss band, gradient predictiveness, β-smoothness",
                "fig4",
                List.of("probe.landscape.every", "probe.landscape.steps", "probe.landscape.points", "probe.landscape.min",
                "probe.landscape.max", RunInfo.LEARNING_RATE));
    }

    /** One probed step of a variant: the bands over η and workers, and the mean effective β. */
    record LandscapePoint(String variant, long step, Double lossMin, Double lossMax, Double gradDiffMin, Double gradDiffMax, Double beta) {
        static LandscapePoint of(Row r) {
            return new LandscapePoint(r.getAs("variant"), r.<Long>getAs("step"), r.getAs("loss_min"), r.getAs("loss_max"),
                    r.getAs("grad_diff_min"), r.getAs("grad_diff_max"), r.getAs("beta_smoothness"));
        }
    }

    /** A variant's ranges over the paper's early window, to set beside the paper's read-offs. */
    record EarlyWindow(String variant, Double lossUpperMin, Double lossUpperMax, Double gradUpperMin, Double gradUpperMax,
                       Double medianBeta, long steps) {
        static EarlyWindow of(Row r) {
            return new EarlyWindow(r.getAs("variant"), r.getAs("loss_hi_min"), r.getAs("loss_hi_max"), r.getAs("grad_hi_min"),
                    r.getAs("grad_hi_max"), r.getAs("median_beta"), r.<Long>getAs("steps"));
        }
    }

    static List<EarlyWindow> early(Dataset<Row> land) {
        return land.where(col("step").lt(PaperReference.LANDSCAPE_WINDOW_STEPS)).groupBy("variant")
                .agg(min("loss_max").as("loss_hi_min"), max("loss_max").as("loss_hi_max"), min("grad_diff_max").as("grad_hi_min"),
                        max("grad_diff_max").as("grad_hi_max"), expr("percentile(beta_smoothness, 0.5)").as("median_beta"),
                        count(lit(1)).as("steps"))
                .orderBy("variant").collectAsList().stream().map(EarlyWindow::of).toList();
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("At each probed step, the loss and ‖∇L(w − ηg) − g‖ over the η grid (bands span η and workers), and the "
                + "effective β-smoothness max_η ‖∇L(w − ηg) − g‖ / ‖ηg‖ (mean over workers).");
        out.row();
        Dataset<Row> land = figureTable(ctx, out, MetricTables.LANDSCAPE_METRICS,
                "No landscape_metrics table: the run recorded no landscape rows (probe.landscape) or `analyze` has not run.");
        if (land != null) {
            List<LandscapePoint> rows = land.select("variant", "step", "loss_min", "loss_max", "grad_diff_min", "grad_diff_max",
                    "beta_smoothness").orderBy("variant", "step").collectAsList().stream().map(LandscapePoint::of).toList();
            List<FigureCharts.Band> loss = new ArrayList<>();
            List<FigureCharts.Band> grad = new ArrayList<>();
            List<FigureCharts.Series> beta = new ArrayList<>();
            Series.byKey(rows, LandscapePoint::variant).forEach((v, ps) -> {
                double[] steps = Series.doubles(ps, LandscapePoint::step);
                double[] lo = Series.values(ps, LandscapePoint::lossMin);
                double[] hi = Series.values(ps, LandscapePoint::lossMax);
                double[] glo = Series.values(ps, LandscapePoint::gradDiffMin);
                double[] ghi = Series.values(ps, LandscapePoint::gradDiffMax);
                loss.add(new FigureCharts.Band(v, steps, lo, Series.mid(lo, hi), hi));
                grad.add(new FigureCharts.Band(v, steps, glo, Series.mid(glo, ghi), ghi));
                beta.add(new FigureCharts.Series(v, steps, Series.values(ps, LandscapePoint::beta)));
            });
            out.figure("fig4_loss.png", FigureCharts.bands("Fig. 4: loss landscape (min–max over η)", "step", "loss", loss));
            out.figure("fig4_gradient.png", FigureCharts.bands("Fig. 4: gradient predictiveness ‖∇L(w−ηg) − g‖", "step", "l2 difference", grad));
            out.figure("fig4_beta.png", FigureCharts.lines("Fig. 4: effective β-smoothness", "step", "β", beta));
            out.side();
            out.subheading("This run (steps < " + PaperReference.LANDSCAPE_WINDOW_STEPS + ")");
            out.table(List.of("variant", "loss upper edge", "grad-diff upper edge", "median β", "steps"), early(land).stream()
                    .map(w -> List.of(w.variant(), Cells.num(w.lossUpperMin()) + " – " + Cells.num(w.lossUpperMax()),
                            Cells.num(w.gradUpperMin()) + " – " + Cells.num(w.gradUpperMax()), Cells.num(w.medianBeta()),
                            Long.toString(w.steps()))).toList());
        }
        out.subheading("Paper (first " + PaperReference.LANDSCAPE_WINDOW_STEPS / 1000 + "k steps, read off Fig. 4)");
        out.table(List.of("measure", "paper"), List.of(List.of("loss", PaperReference.LANDSCAPE_LOSS_UPPER),
                List.of("gradient difference", PaperReference.LANDSCAPE_GRAD_UPPER)));
        out.paragraph("Claim: " + PaperReference.LANDSCAPE_CLAIM + ". η grid: " + PaperReference.LANDSCAPE_ETA_GRID + ".");
        out.settings(settings());
        out.endRow();
    }
}
