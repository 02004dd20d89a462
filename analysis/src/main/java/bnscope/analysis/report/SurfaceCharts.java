package bnscope.analysis.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.Color;
import java.awt.Font;
import java.util.List;

/**
 * Filled contour plots of loss surfaces: each surface a panel of grid cells coloured by log10 of
 * the loss in discrete bands (the filled contours of Li et al.'s figures), panels side by side
 * sharing one colour scale and one legend, so equal colours are equal losses across variants.
 */
final class SurfaceCharts {
    /** Colour bands of the scale (each a contour level). */
    static final int LEVELS = 14;

    private SurfaceCharts() {
    }

    /** One surface: its grid points, their loss, and the cell size in direction units. */
    record Panel(String name, double[] alpha, double[] beta, double[] loss, double cellWidth, double cellHeight) {
    }

    /** The shared colour scale: {@link #LEVELS} bands evenly spaced in log10(loss) over [low, high]. */
    static LookupPaintScale scale(double lowLoss, double highLoss) {
        double lo = Math.log10(lowLoss);
        double hi = Math.log10(highLoss);
        if (!(hi > lo)) {
            hi = lo + 1e-6;
        }
        LookupPaintScale scale = new LookupPaintScale(lo, hi, ramp(1));
        for (int k = 0; k < LEVELS; k++) {
            scale.add(lo + (hi - lo) * k / LEVELS, ramp((double) k / (LEVELS - 1)));
        }
        return scale;
    }

    /** A perceptually ordered ramp (dark blue, through teal and green, to yellow), t in [0, 1]. */
    static Color ramp(double t) {
        double[][] stops = {{0.27, 0.00, 0.33}, {0.23, 0.32, 0.55}, {0.13, 0.57, 0.55}, {0.37, 0.79, 0.38}, {0.99, 0.91, 0.14}};
        double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(x));
        double f = x - i;
        float[] c = new float[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (float) (stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
        }
        return new Color(c[0], c[1], c[2]);
    }

    static JFreeChart contours(String title, List<Panel> panels, double lowLoss, double highLoss) {
        LookupPaintScale scale = scale(lowLoss, highLoss);
        NumberAxis beta = new NumberAxis("beta (direction y)");
        CombinedRangeXYPlot combined = new CombinedRangeXYPlot(beta);
        combined.setGap(14);
        for (Panel p : panels) {
            DefaultXYZDataset data = new DefaultXYZDataset();
            double[] z = new double[p.loss().length];
            for (int k = 0; k < z.length; k++) {
                z[k] = Math.log10(Math.max(p.loss()[k], 1e-300));
            }
            data.addSeries(p.name(), new double[][]{p.alpha(), p.beta(), z});
            XYBlockRenderer renderer = new XYBlockRenderer();
            renderer.setPaintScale(scale);
            renderer.setBlockWidth(p.cellWidth());
            renderer.setBlockHeight(p.cellHeight());
            NumberAxis alpha = new NumberAxis(p.name() + ": alpha (direction x)");
            alpha.setAutoRangeIncludesZero(false);
            alpha.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            XYPlot plot = new XYPlot(data, alpha, null, renderer);
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinesVisible(false);
            plot.setRangeGridlinesVisible(false);
            combined.add(plot, 1);
        }
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, false);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        NumberAxis legendAxis = new NumberAxis("log10 training loss (same scale in every panel)");
        legendAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setStripWidth(14);
        legend.setMargin(4, 8, 4, 4);
        chart.addSubtitle(legend);
        return chart;
    }
}
