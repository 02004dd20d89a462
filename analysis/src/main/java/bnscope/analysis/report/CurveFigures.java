package bnscope.analysis.report;

import bnscope.core.tables.MetricTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.*;

/**
 * The two figures several sections draw for a set of variants: training and test curves (Fig. 1,
 * 2, ℓp) and, with {@link DistributionFigure}, one layer's input distribution over training (Fig. 1, 2).
 */
final class CurveFigures {
    /** Training curves are thinned to about this many points per series before plotting. */
    static final int CURVE_POINTS = 1500;

    private CurveFigures() {
    }

    /**
     * The curves figure of {@code variants}, one per learning rate: per variant and kind (train smoothed and thinned,
     * test), the mean over the seeds as the line and their min–max as the band; or a note when none has a point.
     */
    static void curves(ReportContext ctx, SectionBuilder out, String file, String title, List<String> variants) {
        Dataset<Row> curves = ctx.read(MetricTables.CURVES).where(col("variant").isin(variants.toArray()));
        Row span = curves.agg(max("step")).first();
        long maxStep = span.isNullAt(0) ? 0 : span.getLong(0);
        long every = Math.max(1, (maxStep + 1 + CURVE_POINTS - 1) / CURVE_POINTS);
        Dataset<Row> thinned = curves.where(col("kind").equalTo("test").or(pmod(col("step"), lit(every)).equalTo(0)));
        List<Double> rates = SeedBands.learningRates(thinned);
        boolean drawn = false;
        for (Double lr : rates) {
            List<SeedBands.Point> points = SeedBands.over(SeedBands.at(thinned, lr), concat(col("variant"), lit(", "), col("kind")),
                    col(ctx.curveMeasure() + "_smoothed"));
            List<FigureCharts.Band> bands = SeedBands.bands(points);
            if (bands.isEmpty()) {
                continue;
            }
            drawn = true;
            out.figure(file.replace(".png", SeedBands.fileSuffix(rates, lr) + ".png"), FigureCharts.bands(title + SeedBands.title(lr)
                    + " (" + SeedBands.legend(points) + ")", "step", ctx.curveMeasure(), bands));
        }
        if (!drawn) {
            out.absent("No training or test rows for " + String.join(", ", variants) + ".");
        }
    }

    /** The curves figure and the input-distribution figure of {@code variants}: files PREFIX_accuracy.png and PREFIX_distribution.png. */
    static void curvesAndDistribution(ReportContext ctx, SectionBuilder out, String prefix, String figure, List<String> variants) {
        curves(ctx, out, prefix + "_accuracy.png", figure + ": " + ctx.curveMeasure(), variants);
        DistributionFigure.draw(ctx, out, prefix + "_distribution.png", figure + ": layer-input distribution", variants);
    }

    /** Where the distribution figures look: a layer, a point and a unit present in moments (unit -1: all units pooled). */
    record Probe(int layer, String point, int unit) {
    }

    /** The points recorded at one layer: whether all-units rows exist, and the first unit otherwise. */
    private record PointAtLayer(String point, boolean pooled, Integer firstUnit) {
        static PointAtLayer of(Row r) {
            return new PointAtLayer(r.getAs("point"), !r.isNullAt(r.fieldIndex("pooled")), r.getAs("first_unit"));
        }
    }

    /**
     * The requested distribution layer (clipped to the recorded ones), else the middle recorded
     * layer; its "input" point if recorded; all units pooled if recorded, else the first unit.
     */
    static Probe distributionProbe(ReportContext ctx, Dataset<Row> moments) {
        TreeSet<Integer> layers = new TreeSet<>(moments.select("layer").distinct().collectAsList().stream().map(r -> r.<Integer>getAs("layer")).toList());
        List<Integer> sorted = new ArrayList<>(layers);
        Integer requested = ctx.options().distributionLayer();
        int layer = requested != null ? Series.clip(requested, layers) : sorted.get((sorted.size() - 1) / 2);
        List<PointAtLayer> points = moments.where(col("layer").equalTo(layer)).groupBy("point")
                .agg(max(when(col("unit").equalTo(-1), lit(1))).as("pooled"), min("unit").as("first_unit"))
                .orderBy("point").collectAsList().stream().map(PointAtLayer::of).toList();
        PointAtLayer chosen = points.stream().filter(p -> p.point().equals("input")).findFirst().orElse(points.get(0));
        return new Probe(layer, chosen.point(), chosen.pooled() ? -1 : chosen.firstUnit());
    }
}
