package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.*;

/** Fig. 4: the loss landscape along the gradient (loss band, gradient predictiveness, effective β-smoothness). */
public final class LandscapeSection extends HeadedSection {
    public LandscapeSection() {
        super("Fig. 4 — Loss landscape along the gradient: loss band, gradient predictiveness, β-smoothness",
                "fig4",
                List.of("probe.landscape.every", "probe.landscape.steps", "probe.landscape.points", "probe.landscape.min",
                "probe.landscape.max", RunInfo.LEARNING_RATE));
    }

    /** A variant's ranges over the paper's early window, to set beside the paper's read-offs. */
    record EarlyWindow(String variant, Double learningRate, Double lossUpperMin, Double lossUpperMax, Double gradUpperMin,
                       Double gradUpperMax, Double medianBeta, long steps) {
        static EarlyWindow of(Row r) {
            return new EarlyWindow(r.getAs("variant"), r.getAs(CellColumns.LEARNING_RATE), r.getAs("loss_hi_min"), r.getAs("loss_hi_max"), r.getAs("grad_hi_min"),
                    r.getAs("grad_hi_max"), r.getAs("median_beta"), r.<Long>getAs("steps"));
        }
    }

    /** One band per series from the mean lower and mean upper edge (same series and steps, as {@link SeedBands#over} orders them). */
    static List<FigureCharts.Band> edges(List<SeedBands.Point> low, List<SeedBands.Point> high) {
        List<FigureCharts.Band> out = new ArrayList<>();
        Map<String, List<SeedBands.Point>> highs = Series.byKey(high, SeedBands.Point::series);
        Series.byKey(low, SeedBands.Point::series).forEach((v, lo) -> {
            double[] l = Series.values(lo, SeedBands.Point::mean);
            double[] h = Series.values(highs.get(v), SeedBands.Point::mean);
            out.add(new FigureCharts.Band(v, Series.doubles(lo, SeedBands.Point::step), l, Series.mid(l, h), h));
        });
        return out;
    }

    static List<EarlyWindow> early(Dataset<Row> land) {
        return land.where(col("step").lt(PaperReference.LANDSCAPE_WINDOW_STEPS)).groupBy("variant", CellColumns.LEARNING_RATE)
                .agg(min("loss_max").as("loss_hi_min"), max("loss_max").as("loss_hi_max"), min("grad_diff_max").as("grad_hi_min"),
                        max("grad_diff_max").as("grad_hi_max"), expr("percentile(beta_smoothness, 0.5)").as("median_beta"),
                        count(lit(1)).as("steps"))
                .orderBy("variant", CellColumns.LEARNING_RATE).collectAsList().stream().map(EarlyWindow::of).toList();
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("At each probed step, the loss and ‖∇L(w − ηg) − g‖ over the η grid (bands span η and workers), and the "
                + "effective β-smoothness max_η ‖∇L(w − ηg) − g‖ / ‖ηg‖ (mean over workers). Over several seeds a band's edges are "
                + "the seeds' mean edges, and β is their mean with a min–max band; the table's rows are (variant, lr) over all seeds.");
        out.row();
        Dataset<Row> land = figureTable(ctx, out, MetricTables.LANDSCAPE_METRICS,
                "No landscape_metrics table: the run recorded no landscape rows (probe.landscape) or `analyze` has not run.");
        if (land != null) {
            List<Double> rates = SeedBands.learningRates(land);
            for (Double lr : rates) {
                Dataset<Row> atRate = SeedBands.at(land, lr);
                String suffix = SeedBands.fileSuffix(rates, lr);
                // the bands over η: their edges averaged over the seeds; β: the mean over the seeds, band min–max
                List<SeedBands.Point> lossLow = SeedBands.over(atRate, col("variant"), col("loss_min"));
                List<SeedBands.Point> lossHigh = SeedBands.over(atRate, col("variant"), col("loss_max"));
                List<SeedBands.Point> gradLow = SeedBands.over(atRate, col("variant"), col("grad_diff_min"));
                List<SeedBands.Point> gradHigh = SeedBands.over(atRate, col("variant"), col("grad_diff_max"));
                List<SeedBands.Point> beta = SeedBands.over(atRate, col("variant"), col("beta_smoothness"));
                String seeds = SeedBands.legend(beta).startsWith("one seed") ? "" : ", edges averaged over the seeds";
                out.figure("fig4_loss" + suffix + ".png", FigureCharts.bands("Fig. 4: loss landscape (min–max over η" + seeds + ")"
                        + SeedBands.title(lr), "step", "loss", edges(lossLow, lossHigh)));
                out.figure("fig4_gradient" + suffix + ".png", FigureCharts.bands("Fig. 4: gradient predictiveness ‖∇L(w−ηg) − g‖"
                        + SeedBands.title(lr) + (seeds.isEmpty() ? "" : " (" + seeds.substring(2) + ")"), "step", "l2 difference",
                        edges(gradLow, gradHigh)));
                out.figure("fig4_beta" + suffix + ".png", FigureCharts.bands("Fig. 4: effective β-smoothness" + SeedBands.title(lr)
                        + " (" + SeedBands.legend(beta) + ")", "step", "β", SeedBands.bands(beta)));
            }
            out.side();
            out.subheading("This run (steps < " + PaperReference.LANDSCAPE_WINDOW_STEPS + ")");
            out.table(List.of("variant", "lr", "loss upper edge", "grad-diff upper edge", "median β", "steps"), early(land).stream()
                    .map(w -> List.of(w.variant(), w.learningRate() == null ? "?" : Cells.num(w.learningRate()), Cells.num(w.lossUpperMin()) + " – " + Cells.num(w.lossUpperMax()),
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
