package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.*;

/** Fig. 8: the classical view of internal covariate shift, the change of layer-input moments between recorded steps. */
public final class MomentChangeSection extends HeadedSection {
    public MomentChangeSection() {
        super("Fig. 8 — Change of layer-input moments between recorded steps: |Δmean| and |Δvariance|",
                "fig8",
                List.of("probe.activations.every", "probe.activations.steps", "probe.activations.layers", "probe.activations.units",
                "probe.activations.sample_size", "report.layers"));
    }

    /** One step of one layer of a variant: |Δmean| and |Δvariance| of the layer input, averaged over units. */
    record MomentChange(String variant, int layer, long step, Double deltaMean, Double deltaVariance) {
        static MomentChange of(Row r) {
            return new MomentChange(r.getAs("variant"), r.<Integer>getAs("layer"), r.<Long>getAs("step"), r.getAs("dm"), r.getAs("dv"));
        }
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("The classical view of internal covariate shift: how much a layer's input mean and variance move between "
                + "consecutive recorded steps (averaged over units when per-unit rows exist).");
        out.row();
        Dataset<Row> moments = figureTable(ctx, out, MetricTables.MOMENTS,
                "No moments table: the run recorded no activations (probe.activations) or `analyze` has not run.");
        if (moments != null) {
            TreeSet<Integer> present = new TreeSet<>(moments.select("layer").distinct().collectAsList().stream()
                    .map(r -> r.<Integer>getAs("layer")).toList());
            List<Integer> layers = present.isEmpty() ? List.of() : Series.clipAll(ctx.options().gradientShiftLayers(), present);
            boolean perUnit = !moments.agg(max(when(col("unit").geq(0), lit(1)))).first().isNullAt(0);
            List<MomentChange> rows = moments.where(col("layer").isin(layers.toArray()).and(col("point").equalTo("input"))
                            .and(perUnit ? col("unit").geq(0) : col("unit").equalTo(-1)).and(col("delta_mean").isNotNull()))
                    .groupBy("variant", "layer", "step").agg(avg("delta_mean").as("dm"), avg("delta_variance").as("dv"))
                    .orderBy("variant", "layer", "step").collectAsList().stream().map(MomentChange::of).toList();
            if (rows.isEmpty()) {
                out.absent("No layer-input moments with a previous step at layers " + layers + ".");
                out.side();
            } else {
                List<FigureCharts.Series> dm = new ArrayList<>();
                List<FigureCharts.Series> dv = new ArrayList<>();
                List<List<String>> table = new ArrayList<>();
                Series.byKey(rows, r -> r.variant() + ", layer #" + r.layer()).forEach((name, ms) -> {
                    double[] steps = Series.doubles(ms, MomentChange::step);
                    double[] dMean = Series.values(ms, MomentChange::deltaMean);
                    double[] dVar = Series.values(ms, MomentChange::deltaVariance);
                    dm.add(new FigureCharts.Series(name, steps, dMean));
                    dv.add(new FigureCharts.Series(name, steps, dVar));
                    table.add(List.of(ms.get(0).variant(), Integer.toString(ms.get(0).layer()), Cells.num(Series.median(dMean)),
                            Cells.num(Series.median(dVar))));
                });
                out.figure("fig8_delta_mean.png", FigureCharts.lines("Fig. 8: |Δ mean| of layer inputs", "step", "|Δ mean|", dm));
                out.figure("fig8_delta_variance.png", FigureCharts.lines("Fig. 8: |Δ variance| of layer inputs", "step", "|Δ variance|", dv));
                out.side();
                out.subheading("This run (median over steps)");
                out.table(List.of("variant", "layer", "median |Δmean|", "median |Δvariance|"), table);
            }
        }
        out.paper(PaperReference.MOMENTS_CLAIM + ".", settings());
    }
}
