package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The layer-input distribution figure as the paper draws it (Fig. 1 and 2, right): one panel per
 * variant, each the histogram (as a density) of the stored activation samples of one layer's input
 * at a few steps of training, every panel on the same axes so the panels compare directly. The
 * samples are those of the activations table (all workers and seeds of the cells at one learning
 * rate pooled); the layer, point and unit are chosen as before ({@link CurveFigures#distributionProbe}).
 * Densities are per non-zero value when the zeros of inactive ReLU units are left out ({@link #ZERO_SHARE}).
 */
final class DistributionFigure {
    /** Steps drawn per panel (evenly spread over the recorded ones, first and last included). */
    static final int STEPS = 4;
    static final int BINS = 40;
    /** Above this share of exact zeros among the values drawn, zeros are left out of the histograms (and counted instead). */
    static final double ZERO_SHARE = 0.2;
    /** The common x range spans these quantiles of all the samples drawn, so a few outliers do not squeeze the histograms. */
    static final double LOW_QUANTILE = 0.005;
    static final double HIGH_QUANTILE = 0.995;
    /** Early steps light, late steps dark: the same in every panel. */
    private static final Color[] STEP_COLORS = {new Color(0xfdae61), new Color(0xf46d43), new Color(0xa50026), new Color(0x313695),
            new Color(0x4575b4), new Color(0x000000)};

    private DistributionFigure() {
    }

    /** One sample array of one variant at one step. */
    private record Samples(String variant, long step, float[] values) {
        static Samples of(Row r) {
            List<Float> s = r.getList(r.fieldIndex("sample"));
            float[] v = new float[s.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = s.get(i);
            }
            return new Samples(r.getAs("variant"), r.<Long>getAs("step"), v);
        }
    }

    /** The figure of {@code variants}, one per learning rate, or a note saying what is missing. */
    static void draw(ReportContext ctx, SectionBuilder out, String file, String title, List<String> variants) {
        if (!ctx.has(MetricTables.MOMENTS)) {
            out.absent("No moments table (the run recorded no activations): no distribution figure.");
            return;
        }
        if (!ctx.has(SnapshotTables.ACTIVATIONS)) {
            out.absent("No activations table (its samples are what the histograms are drawn from): no distribution figure.");
            return;
        }
        CurveFigures.Probe probe = CurveFigures.distributionProbe(ctx, ctx.read(MetricTables.MOMENTS));
        Dataset<Row> acts = ctx.read(SnapshotTables.ACTIVATIONS).where(col("variant").isin(variants.toArray())
                .and(col("layer").equalTo(probe.layer())).and(col("point").equalTo(probe.point())).and(col("unit").equalTo(probe.unit())));
        List<Double> rates = SeedBands.learningRates(acts);
        boolean drawn = false;
        for (Double lr : rates) {
            Dataset<Row> atRate = SeedBands.at(acts, lr);
            List<Long> recorded = atRate.select("step").distinct().orderBy("step").collectAsList().stream().map(r -> r.<Long>getAs("step")).toList();
            List<Long> steps = spread(recorded, STEPS);
            List<Samples> rows = atRate.where(col("step").isin(steps.toArray())).select(col("variant"), col("step"), col("sample"),
                    col(CellColumns.SEED)).collectAsList().stream().map(Samples::of).filter(s -> s.values().length > 0).toList();
            if (rows.isEmpty()) {
                continue;
            }
            drawn = true;
            String where = "layer #" + probe.layer() + " " + probe.point() + (probe.unit() < 0 ? " (all units)" : " unit " + probe.unit());
            out.figure(file.replace(".png", SeedBands.fileSuffix(rates, lr) + ".png"),
                    chart(title + ": " + where + SeedBands.title(lr), variants, steps, rows));
        }
        if (!drawn) {
            out.absent("No activation samples for " + String.join(", ", variants) + " at layer " + probe.layer() + ".");
        }
    }

    /** Up to {@code n} of {@code sorted}, evenly spread, first and last included. */
    static List<Long> spread(List<Long> sorted, int n) {
        if (sorted.size() <= n) {
            return sorted;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Long s = sorted.get((int) Math.round(i * (sorted.size() - 1) / (double) (n - 1)));
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static JFreeChart chart(String title, List<String> variants, List<Long> steps, List<Samples> rows) {
        // Inputs after a ReLU are often mostly exact zeros: one bar that flattens every histogram. When zeros are more than
        // ZERO_SHARE of the values they are left out of the histograms and their share is printed under each panel instead.
        long values = rows.stream().mapToLong(s -> s.values().length).sum();
        long zeros = rows.stream().mapToLong(DistributionFigure::zeros).sum();
        boolean dropZeros = zeros > ZERO_SHARE * values;
        double[] all = rows.stream().flatMapToDouble(s -> {
            double[] d = new double[s.values().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = s.values()[i];
            }
            return Arrays.stream(d);
        }).filter(Double::isFinite).filter(v -> !dropZeros || v != 0).sorted().toArray();
        if (all.length == 0) {
            all = new double[]{0};
        }
        double lo = all[(int) Math.floor(LOW_QUANTILE * (all.length - 1))];
        double hi = all[(int) Math.ceil(HIGH_QUANTILE * (all.length - 1))];
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        double width = (hi - lo) / BINS;
        NumberAxis density = new NumberAxis("density");
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(density);
        plot.setGap(8);
        double top = 0;
        for (String variant : variants) {
            Map<Long, double[]> byStep = new LinkedHashMap<>();
            long variantValues = 0;
            long variantZeros = 0;
            for (Long step : steps) {
                double[] counts = new double[BINS];
                long n = 0;
                for (Samples s : rows) {
                    if (s.variant().equals(variant) && s.step() == step) {
                        variantValues += s.values().length;
                        variantZeros += zeros(s);
                        for (float v : s.values()) {
                            if (dropZeros && v == 0) {
                                continue;
                            }
                            int bin = (int) Math.floor((v - lo) / width);
                            if (Float.isFinite(v) && bin >= 0 && bin < BINS) {
                                counts[bin]++;
                            }
                            n++;
                        }
                    }
                }
                if (n > 0) {
                    for (int b = 0; b < BINS; b++) {
                        counts[b] /= n * width;
                        top = Math.max(top, counts[b]);
                    }
                    byStep.put(step, counts);
                }
            }
            if (byStep.isEmpty()) {
                continue;
            }
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
            int i = 0;
            for (Map.Entry<Long, double[]> e : byStep.entrySet()) {
                XYSeries series = new XYSeries("step " + e.getKey(), false, true);
                // a step outline: each bin's density from its left to its right edge
                for (int b = 0; b < BINS; b++) {
                    series.add(lo + b * width, e.getValue()[b]);
                    series.add(lo + (b + 1) * width, e.getValue()[b]);
                }
                data.addSeries(series);
                renderer.setSeriesPaint(i, stepColor(steps.indexOf(e.getKey())));
                renderer.setSeriesStroke(i, new BasicStroke(1.6f));
                i++;
            }
            // short enough for a third of the figure's width; the title says the zeros are not drawn
            NumberAxis x = new NumberAxis(variant + (dropZeros ? String.format(java.util.Locale.ROOT, " (%.0f%% zeros)",
                    100.0 * variantZeros / Math.max(1, variantValues)) : ""));
            x.setRange(lo, hi);
            x.setLabelPaint(FigureCharts.color(variant, 0));
            x.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            XYPlot panel = new XYPlot(data, x, null, renderer);
            panel.setBackgroundPaint(Color.WHITE);
            panel.setDomainGridlinePaint(new Color(0xdddddd));
            panel.setRangeGridlinePaint(new Color(0xdddddd));
            plot.add(panel, 1);
        }
        density.setRange(0, top * 1.05 > 0 ? top * 1.05 : 1);
        LegendItemCollection legend = new LegendItemCollection();
        for (int s = 0; s < steps.size(); s++) {
            legend.add(new LegendItem("step " + steps.get(s), stepColor(s)));
        }
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title + (dropZeros ? "; exact zeros not drawn" : ""), new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static long zeros(Samples s) {
        long n = 0;
        for (float v : s.values()) {
            if (v == 0) {
                n++;
            }
        }
        return n;
    }

    private static Color stepColor(int index) {
        return STEP_COLORS[Math.min(index, STEP_COLORS.length - 1)];
    }
}
