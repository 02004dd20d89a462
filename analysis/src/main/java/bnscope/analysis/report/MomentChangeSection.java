package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
            // per cell, layer and step the mean over units; then over the seeds: mean line, min–max band
            Dataset<Row> perCell = moments.where(col("layer").isin(layers.toArray()).and(col("point").equalTo("input"))
                            .and(perUnit ? col("unit").geq(0) : col("unit").equalTo(-1)).and(col("delta_mean").isNotNull()))
                    .groupBy(col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("layer"), col("step"))
                    .agg(avg("delta_mean").as("dm"), avg("delta_variance").as("dv"));
            List<Double> rates = SeedBands.learningRates(perCell);
            List<List<String>> table = new ArrayList<>();
            for (Double lr : rates) {
                Dataset<Row> atRate = SeedBands.at(perCell, lr);
                Column series = concat(col("variant"), lit(", layer #"), col("layer"));
                List<SeedBands.Point> dm = SeedBands.over(atRate, series, col("dm"));
                List<SeedBands.Point> dv = SeedBands.over(atRate, series, col("dv"));
                String suffix = SeedBands.fileSuffix(rates, lr);
                out.figure("fig8_delta_mean" + suffix + ".png", FigureCharts.bands("Fig. 8: |Δ mean| of layer inputs" + SeedBands.title(lr)
                        + " (" + SeedBands.legend(dm) + ")", "step", "|Δ mean|", SeedBands.bands(dm)));
                out.figure("fig8_delta_variance" + suffix + ".png", FigureCharts.bands("Fig. 8: |Δ variance| of layer inputs"
                        + SeedBands.title(lr) + " (" + SeedBands.legend(dv) + ")", "step", "|Δ variance|", SeedBands.bands(dv)));
                Map<String, List<SeedBands.Point>> dvBySeries = Series.byKey(dv, SeedBands.Point::series);
                Series.byKey(dm, SeedBands.Point::series).forEach((name, ps) -> {
                    String[] parts = name.split(", layer #");
                    table.add(List.of(parts[0], parts[1], lr == null ? "?" : Cells.num(lr), Cells.num(Series.median(Series.values(ps,
                            SeedBands.Point::mean))), Cells.num(Series.median(Series.values(dvBySeries.get(name), SeedBands.Point::mean)))));
                });
            }
            if (table.isEmpty()) {
                out.absent("No layer-input moments with a previous step at layers " + layers + ".");
                out.side();
            } else {
                out.side();
                out.subheading("This run (median over steps of the mean over seeds)");
                out.table(List.of("variant", "layer", "lr", "median |Δmean|", "median |Δvariance|"), table);
            }
        }
        out.paper(PaperReference.MOMENTS_CLAIM + ".", settings());
    }
}
