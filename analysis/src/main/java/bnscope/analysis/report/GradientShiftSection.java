package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
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

    /** One step of one layer of one variant: the means over workers. */
    record ShiftPoint(String variant, int layer, long step, Double diffNorm, Double cosine) {
        static ShiftPoint of(Row r) {
            return new ShiftPoint(r.getAs("variant"), r.<Integer>getAs("layer"), r.<Long>getAs("step"), r.getAs("diff_norm_mean"),
                    r.getAs("cosine_mean"));
        }
    }

    /** Medians over the steps of one layer and variant, and the worst relative difference of the vector check. */
    record ShiftMedian(int layer, String variant, Double diffNorm, Double cosine, Double vectorCheck) {
        static ShiftMedian of(Row r) {
            return new ShiftMedian(r.<Integer>getAs("layer"), r.getAs("variant"), r.getAs("diff"), r.getAs("cos"), r.getAs("check"));
        }
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("G is a layer's gradient at the current weights, G' the same layer's gradient after the layers before it took "
                + "their step (same minibatch). Values are means over the workers; W parameters only.");
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
            List<ShiftPoint> rows = ics.where(col("layer").isin(layers.toArray()))
                    .select("variant", "layer", "step", "diff_norm_mean", "cosine_mean").orderBy("layer", "variant", "step")
                    .collectAsList().stream().map(ShiftPoint::of).toList();
            for (int layer : layers) {
                List<FigureCharts.Series> diff = new ArrayList<>();
                List<FigureCharts.Series> cos = new ArrayList<>();
                Series.byKey(rows.stream().filter(r -> r.layer() == layer).toList(), ShiftPoint::variant).forEach((v, ps) -> {
                    double[] steps = Series.doubles(ps, ShiftPoint::step);
                    diff.add(new FigureCharts.Series(v, steps, Series.values(ps, ShiftPoint::diffNorm)));
                    cos.add(new FigureCharts.Series(v, steps, Series.values(ps, ShiftPoint::cosine)));
                });
                out.figure("fig3_layer" + layer + "_diff.png", FigureCharts.lines("Fig. 3: layer #" + layer + " ‖G − G'‖₂", "step", "l2 difference", diff));
                out.figure("fig3_layer" + layer + "_cos.png", FigureCharts.lines("Fig. 3: layer #" + layer + " cos(G, G')", "step", "cosine", cos));
            }
            out.side();
            out.subheading("This run (median over steps)");
            List<ShiftMedian> medians = ics.where(col("layer").isin(layers.toArray())).groupBy("layer", "variant")
                    .agg(expr("percentile(diff_norm_mean, 0.5)").as("diff"), expr("percentile(cosine_mean, 0.5)").as("cos"),
                            max("vector_check_rel_diff").as("check"))
                    .orderBy("layer", "variant").collectAsList().stream().map(ShiftMedian::of).toList();
            out.table(List.of("layer", "variant", "median ‖G−G'‖", "median cos", "max vector check rel. diff"), medians.stream()
                    .map(m -> List.of(Integer.toString(m.layer()), m.variant(), Cells.num(m.diffNorm()), Cells.num(m.cosine()),
                            Cells.num(m.vectorCheck()))).toList());
            if (!layers.equals(requested)) {
                out.paragraph("Requested layers " + requested + " clipped to the recorded layers " + present + ".");
            }
        }
        out.paper(PaperReference.ICS_CLAIM, settings());
    }
}
