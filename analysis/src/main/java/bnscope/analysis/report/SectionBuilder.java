package bnscope.analysis.report;

import org.jfree.chart.JFreeChart;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds one section's HTML under its heading: paragraphs, side tables and figures, laid out in
 * rows (figures in the main column until {@link #side()}, side tables until {@link #endRow()}).
 * Text is escaped here, so sections pass plain text.
 */
public final class SectionBuilder {
    private final StringBuilder html = new StringBuilder();
    private final List<RenderedSection.Figure> figures = new ArrayList<>();

    SectionBuilder(String title, String id) {
        html.append("<h2 id=\"").append(HtmlReport.escape(id)).append("\">").append(HtmlReport.escape(title)).append("</h2>\n");
    }

    public SectionBuilder subheading(String text) {
        html.append("<h3>").append(HtmlReport.escape(text)).append("</h3>\n");
        return this;
    }

    public SectionBuilder paragraph(String text) {
        html.append("<p>").append(HtmlReport.escape(text)).append("</p>\n");
        return this;
    }

    /** A note that a section's data is absent, in place of its figures. */
    public SectionBuilder absent(String text) {
        html.append("<p class=\"absent\">").append(HtmlReport.escape(text)).append("</p>\n");
        return this;
    }

    /** A figure: {@code file} (a PNG name, unique in the report) gets the chart; the page shows it here. */
    public SectionBuilder figure(String file, JFreeChart chart) {
        figures.add(new RenderedSection.Figure(file, chart));
        String alt = chart.getTitle() == null ? file : chart.getTitle().getText();
        html.append("<img src=\"").append(HtmlReport.escape(file)).append("\" alt=\"").append(HtmlReport.escape(alt)).append("\">\n");
        return this;
    }

    public SectionBuilder table(List<String> header, List<List<String>> rows) {
        html.append("<table><tr>");
        header.forEach(h -> html.append("<th>").append(HtmlReport.escape(h)).append("</th>"));
        html.append("</tr>\n");
        for (List<String> r : rows) {
            html.append("<tr>");
            r.forEach(c -> html.append("<td>").append(HtmlReport.escape(c)).append("</td>"));
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        return this;
    }

    /**
     * Names the config keys a section depends on, linking to the run config table (the values are
     * shown there once, not repeated per section).
     */
    public SectionBuilder settings(List<String> keys) {
        if (!keys.isEmpty()) {
            html.append("<p class=\"settings\">Settings: ").append(keys.stream()
                    .map(k -> "<a href=\"#" + RunConfigSection.ID + "\">" + HtmlReport.escape(k) + "</a>")
                    .collect(Collectors.joining(", "))).append(" (values in the run config above).</p>\n");
        }
        return this;
    }

    /** Closes a row's side column: the paper's side under "Paper", then the section's settings note. */
    public SectionBuilder paper(String text, List<String> settings) {
        subheading("Paper");
        paragraph(text);
        settings(settings);
        return endRow();
    }

    public SectionBuilder row() {
        html.append("<div class=\"row\"><div class=\"figs\">\n");
        return this;
    }

    public SectionBuilder side() {
        html.append("</div><div class=\"side\">\n");
        return this;
    }

    public SectionBuilder endRow() {
        html.append("</div></div>\n");
        return this;
    }

    RenderedSection build() {
        return new RenderedSection(html.toString(), figures);
    }
}
