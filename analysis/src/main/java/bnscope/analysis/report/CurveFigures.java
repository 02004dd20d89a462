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
 * 2, ℓp) and the percentile bands of one layer's input over training (Fig. 1, 2).
 */
final class CurveFigures {
    /** Training curves are thinned to about this many points per series before plotting. */
    static final int CURVE_POINTS = 1500;

    private CurveFigures() {
    }

    /** One plotted point of a curve: the smoothed accuracy or loss of a variant's train or test rows. */
    record CurvePoint(String variant, String kind, long step, Double y) {
        static CurvePoint of(Row r) {
            return new CurvePoint(r.getAs("variant"), r.getAs("kind"), r.<Long>getAs("step"), r.getAs("y"));
        }
    }

    /** Train (smoothed, thinned) and test series of {@code variants}, accuracy or loss as the context says. */
    static List<FigureCharts.Series> curveSeries(ReportContext ctx, List<String> variants) {
        Dataset<Row> curves = ctx.read(MetricTables.CURVES).where(col("variant").isin(variants.toArray()));
        Row span = curves.agg(max("step")).first();
        long maxStep = span.isNullAt(0) ? 0 : span.getLong(0);
        long every = Math.max(1, (maxStep + 1 + CURVE_POINTS - 1) / CURVE_POINTS);
        List<CurvePoint> rows = curves.where(col("kind").equalTo("test").or(pmod(col("step"), lit(every)).equalTo(0)))
                .select(col("variant"), col("kind"), col("step"), col(ctx.curveMeasure() + "_smoothed").as("y"))
                .orderBy("variant", "kind", "step").collectAsList().stream().map(CurvePoint::of).toList();
        List<FigureCharts.Series> series = new ArrayList<>();
        Series.byKey(rows, p -> p.variant() + ", " + p.kind()).forEach((name, ps) ->
                series.add(new FigureCharts.Series(name, Series.doubles(ps, CurvePoint::step), Series.values(ps, CurvePoint::y))));
        return series;
    }

    /** The curves figure of {@code variants}, or a note when none of them has a point. */
    static void curves(ReportContext ctx, SectionBuilder out, String file, String title, List<String> variants) {
        List<FigureCharts.Series> series = curveSeries(ctx, variants);
        if (series.stream().allMatch(FigureCharts.Series::isEmpty)) {
            out.absent("No training or test rows for " + String.join(", ", variants) + ".");
            return;
        }
        out.figure(file, FigureCharts.lines(title, "step", ctx.curveMeasure(), series));
    }

    /** The curves figure and the input-distribution figure of {@code variants}: files PREFIX_accuracy.png and PREFIX_distribution.png. */
    static void curvesAndDistribution(ReportContext ctx, SectionBuilder out, String prefix, String figure, List<String> variants) {
        curves(ctx, out, prefix + "_accuracy.png", figure + ": " + ctx.curveMeasure(), variants);
        distribution(ctx, out, prefix + "_distribution.png", figure + ": input distribution", variants);
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

    /** One step's 5th, 50th and 95th percentile of the probed activations of a variant. */
    private record Percentiles(String variant, long step, Double p05, Double p50, Double p95) {
        static Percentiles of(Row r) {
            return new Percentiles(r.getAs("variant"), r.<Long>getAs("step"), r.getAs("p05"), r.getAs("p50"), r.getAs("p95"));
        }
    }

    /** The input-distribution figure of {@code variants}, or a note saying what is missing. */
    static void distribution(ReportContext ctx, SectionBuilder out, String file, String title, List<String> variants) {
        if (!ctx.has(MetricTables.MOMENTS)) {
            out.absent("No moments table (the run recorded no activations): no distribution figure.");
            return;
        }
        Dataset<Row> moments = ctx.read(MetricTables.MOMENTS);
        Probe probe = distributionProbe(ctx, moments);
        List<Percentiles> rows = moments.where(col("variant").isin(variants.toArray()).and(col("layer").equalTo(probe.layer()))
                        .and(col("point").equalTo(probe.point())).and(col("unit").equalTo(probe.unit())).and(col("p50").isNotNull()))
                .select("variant", "step", "p05", "p50", "p95").orderBy("variant", "step")
                .collectAsList().stream().map(Percentiles::of).toList();
        if (rows.isEmpty()) {
            out.absent("No activation samples for " + String.join(", ", variants) + " at layer " + probe.layer() + ".");
            return;
        }
        List<FigureCharts.Band> bands = new ArrayList<>();
        Series.byKey(rows, Percentiles::variant).forEach((v, ps) -> bands.add(new FigureCharts.Band(v + " p05–p50–p95",
                Series.doubles(ps, Percentiles::step), Series.values(ps, Percentiles::p05), Series.values(ps, Percentiles::p50),
                Series.values(ps, Percentiles::p95))));
        out.figure(file, FigureCharts.bands(title + ": layer #" + probe.layer() + " " + probe.point()
                + (probe.unit() < 0 ? " (all units)" : " unit " + probe.unit()), "step", "activation", bands));
    }
}
