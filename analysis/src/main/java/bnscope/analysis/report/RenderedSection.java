package bnscope.analysis.report;

import org.jfree.chart.JFreeChart;

import java.util.List;

/**
 * One section as rendered: its HTML and the figures its HTML refers to (written as PNG files
 * beside index.html by {@link ReportJob}).
 */
public record RenderedSection(String html, List<Figure> figures) {
    /** A figure: the PNG file name the page refers to and the chart drawn into it. */
    public record Figure(String file, JFreeChart chart) {
    }

    public RenderedSection {
        figures = List.copyOf(figures);
    }
}
