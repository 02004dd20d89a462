package bnscope.analysis.report;

import bnscope.core.models.Variant;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Draws the report's figures with JFreeChart, headless: line charts over training steps, and band
 * charts (a middle line with a shaded low–high interval) for percentile and min–max bands. Each
 * variant keeps its colour in every figure.
 */
final class FigureCharts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 760;
    static final int HEIGHT = 400;

    private FigureCharts() {
    }

    /** One line: points (x, y); non-finite y values are left out. */
    record Series(String name, double[] x, double[] y) {
        boolean isEmpty() {
            for (double v : y) {
                if (Double.isFinite(v)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A band: a middle line and a low–high interval at each x. */
    record Band(String name, double[] x, double[] low, double[] mid, double[] high) {
    }

    private static final Map<String, Color> VARIANT_COLORS = Map.of(
            Variant.STANDARD.label(), new Color(0x1f77b4),
            Variant.BATCHNORM.label(), new Color(0xd62728),
            Variant.NOISY_BATCHNORM.label(), new Color(0x2ca02c),
            Variant.L1.label(), new Color(0x9467bd),
            Variant.L2.label(), new Color(0xff7f0e),
            Variant.LINF.label(), new Color(0x8c564b));
    private static final Color[] OTHER = {new Color(0x17becf), new Color(0xbcbd22), new Color(0x7f7f7f), new Color(0xe377c2)};

    /** The colour of a series: its variant's colour (a series may be named "variant, detail"); a fixed palette otherwise. */
    static Color color(String seriesName, int index) {
        String variant = seriesName.split("[ ,]")[0];
        Color c = VARIANT_COLORS.get(variant);
        return c != null ? c : OTHER[index % OTHER.length];
    }

    static JFreeChart lines(String title, String xLabel, String yLabel, List<Series> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    xy.add(s.x()[i], s.y()[i]);
                }
            }
            data.addSeries(xy);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, color(series.get(i).name(), i));
            renderer.setSeriesStroke(i, series.get(i).name().contains("test") ? new BasicStroke(2.2f) : new BasicStroke(1.4f));
            renderer.setSeriesShapesVisible(i, series.get(i).name().contains("test"));
        }
        return chart(title, xLabel, yLabel, data, renderer);
    }

    static JFreeChart bands(String title, String xLabel, String yLabel, List<Band> bands) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Band b : bands) {
            YIntervalSeries s = new YIntervalSeries(b.name(), false, true);
            for (int i = 0; i < b.x().length; i++) {
                if (Double.isFinite(b.mid()[i]) && Double.isFinite(b.low()[i]) && Double.isFinite(b.high()[i])) {
                    s.add(b.x()[i], b.mid()[i], b.low()[i], b.high()[i]);
                }
            }
            data.addSeries(s);
        }
        DeviationRenderer renderer = new DeviationRenderer(true, true);
        renderer.setAlpha(0.25f);
        for (int i = 0; i < bands.size(); i++) {
            Color c = color(bands.get(i).name(), i);
            renderer.setSeriesPaint(i, c);
            renderer.setSeriesFillPaint(i, c);
            // test rows (a few points on the full test set) drawn as in lines(): thicker, with markers
            boolean test = bands.get(i).name().contains("test");
            renderer.setSeriesStroke(i, new BasicStroke(test ? 2.2f : 1.4f));
            renderer.setSeriesShapesVisible(i, test);
        }
        return chart(title, xLabel, yLabel, data, renderer);
    }

    private static JFreeChart chart(String title, String xLabel, String yLabel, org.jfree.data.xy.XYDataset data,
                                    org.jfree.chart.renderer.xy.XYItemRenderer renderer) {
        NumberAxis x = new NumberAxis(xLabel);
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        // a (nearly) constant series would otherwise get a range of rounding noise and unreadable ticks
        y.setAutoRangeMinimumSize(Math.max(1e-12, 0.02 * maxAbsY(data)));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static double maxAbsY(org.jfree.data.xy.XYDataset data) {
        double m = 0;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            for (int i = 0; i < data.getItemCount(s); i++) {
                double y = Math.abs(data.getYValue(s, i));
                if (Double.isFinite(y)) {
                    m = Math.max(m, y);
                }
            }
        }
        return m;
    }

    /** Writes the chart as a PNG file (any Hadoop file system). */
    static void writePng(JFreeChart chart, FileSystem fs, Path file) {
        try (OutputStream out = fs.create(file, true)) {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + file, e);
        }
    }
}
