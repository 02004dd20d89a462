package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.*;

/** Fig. 3: internal covariate shift measured as the change of a layer's gradient, ‖G − G'‖ and cos(G, G'). */
public final class GradientShiftSection extends HeadedSection {
    public GradientShiftSection() {
        super("Fig. 3 — Internal covariate shift as a change of gradients: ‖G − G'‖ and cos(G, G')",
                "fig3",
                List.of("probe.ics.every", "probe.ics.steps", "probe.ics.layers", "report.layers", RunInfo.LEARNING_RATE));
    }

    /** Medians over the steps of one layer and variant, and the worst relative difference of the vector check. */
    record ShiftMedian(int layer, String variant, Double learningRate, Double diffNorm, Double cosine, Double vectorCheck) {
        static ShiftMedian of(Row r) {
            return new ShiftMedian(r.<Integer>getAs("layer"), r.getAs("variant"), r.getAs(CellColumns.LEARNING_RATE), r.getAs("diff"),
                    r.getAs("cos"), r.getAs("check"));
        }
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("G is a layer's gradient at the current weights, G' the same layer's gradient after the layers before it took "
                + "their step (same minibatch). Values are means over the workers; W parameters only. With several seeds the line is "
                + "their mean and the band their min–max.");
        out.row();
        Dataset<Row> ics = ctx.has(MetricTables.ICS_METRICS) ? ctx.read(MetricTables.ICS_METRICS).where(col("param").equalTo("W")) : null;
        TreeSet<Integer> present = ics == null ? new TreeSet<>()
                : new TreeSet<>(ics.select("layer").distinct().collectAsList().stream().map(r -> r.<Integer>getAs("layer")).toList());
        if (ics == null) {
            out.absent("No ics_metrics table: the run recorded no ics rows (probe.ics) or `analyze` has not run.");
            out.side();
        } else if (present.isEmpty()) {
            out.absent("The ics_metrics table has no rows of W parameters.");
            out.side();
        } else {
            List<Integer> requested = ctx.options().gradientShiftLayers();
            List<Integer> layers = Series.clipAll(requested, present);
            List<Double> rates = SeedBands.learningRates(ics);
            for (Double lr : rates) {
                Dataset<Row> atRate = SeedBands.at(ics, lr);
                String suffix = SeedBands.fileSuffix(rates, lr);
                for (int layer : layers) {
                    Dataset<Row> atLayer = atRate.where(col("layer").equalTo(layer));
                    List<SeedBands.Point> diff = SeedBands.over(atLayer, col("variant"), col("diff_norm_mean"));
                    List<SeedBands.Point> cos = SeedBands.over(atLayer, col("variant"), col("cosine_mean"));
                    out.figure("fig3_layer" + layer + suffix + "_diff.png", FigureCharts.bands("Fig. 3: layer #" + layer + " ‖G − G'‖₂"
                            + SeedBands.title(lr) + " (" + SeedBands.legend(diff) + ")", "step", "l2 difference", SeedBands.bands(diff)));
                    out.figure("fig3_layer" + layer + suffix + "_cos.png", FigureCharts.bands("Fig. 3: layer #" + layer + " cos(G, G')"
                            + SeedBands.title(lr) + " (" + SeedBands.legend(cos) + ")", "step", "cosine", SeedBands.bands(cos)));
                }
            }
            out.side();
            out.subheading("This run (median over steps)");
            // the median over the steps of the mean over the seeds, per (layer, variant, learning rate)
            List<ShiftMedian> medians = ics.where(col("layer").isin(layers.toArray()))
                    .groupBy(col("layer"), col("variant"), col(CellColumns.LEARNING_RATE), col("step"))
                    .agg(avg("diff_norm_mean").as("d"), avg("cosine_mean").as("c"), max("vector_check_rel_diff").as("v"))
                    .groupBy("layer", "variant", CellColumns.LEARNING_RATE)
                    .agg(expr("percentile(d, 0.5)").as("diff"), expr("percentile(c, 0.5)").as("cos"), max("v").as("check"))
                    .orderBy("layer", "variant", CellColumns.LEARNING_RATE).collectAsList().stream().map(ShiftMedian::of).toList();
            out.table(List.of("layer", "variant", "lr", "median ‖G−G'‖", "median cos", "max vector check rel. diff"), medians.stream()
                    .map(m -> List.of(Integer.toString(m.layer()), m.variant(), m.learningRate() == null ? "?" : Cells.num(m.learningRate()),
                            Cells.num(m.diffNorm()), Cells.num(m.cosine()), Cells.num(m.vectorCheck()))).toList());
            if (!layers.equals(requested)) {
                out.paragraph("Requested layers " + requested + " clipped to the recorded layers " + present + ".");
            }
        }
        out.paper(PaperReference.ICS_CLAIM, settings());
    }
}
