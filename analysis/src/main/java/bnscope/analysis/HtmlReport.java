package bnscope.analysis;

import java.util.List;

/** Builds the report's single HTML page: sections with figures on the left and side tables on the right. */
final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    HtmlReport(String title) {
        this.title = title;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    HtmlReport heading(String text, String id) {
        body.append("<h2 id=\"").append(escape(id)).append("\">").append(escape(text)).append("</h2>\n");
        return this;
    }

    HtmlReport subheading(String text) {
        body.append("<h3>").append(escape(text)).append("</h3>\n");
        return this;
    }

    HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A note that a section's data is absent, in place of its figures. */
    HtmlReport absent(String text) {
        body.append("<p class=\"absent\">").append(escape(text)).append("</p>\n");
        return this;
    }

    HtmlReport image(String file, String alt) {
        body.append("<img src=\"").append(escape(file)).append("\" alt=\"").append(escape(alt)).append("\">\n");
        return this;
    }

    HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table><tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            r.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** Starts a section row: figures go in the main column until {@link #side()}, side tables until {@link #endRow()}. */
    HtmlReport row() {
        body.append("<div class=\"row\"><div class=\"figs\">\n");
        return this;
    }

    HtmlReport side() {
        body.append("</div><div class=\"side\">\n");
        return this;
    }

    HtmlReport endRow() {
        body.append("</div></div>\n");
        return this;
    }

    String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n<style>\n"
                + "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1500px}\n"
                + "h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\n"
                + ".row{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}\n"
                + ".figs{flex:2 1 760px}.figs img{max-width:100%;display:block;margin-bottom:.6em}\n"
                + ".side{flex:1 1 340px;font-size:.9em}\n"
                + "table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
                + "th{background:#f3f3f3}.absent{color:#a33;font-style:italic}\n"
                + "</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
    }
}
