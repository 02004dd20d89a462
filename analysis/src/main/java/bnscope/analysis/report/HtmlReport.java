package bnscope.analysis.report;

import java.util.List;

/** The report's single HTML page: a title, an introduction, then the sections' HTML in order. */
final class HtmlReport {
    private HtmlReport() {
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The page: {@code intro} paragraphs under the title, then each section's HTML. */
    static String page(String title, List<String> intro, List<RenderedSection> sections) {
        StringBuilder body = new StringBuilder();
        intro.forEach(p -> body.append("<p>").append(escape(p)).append("</p>\n"));
        sections.forEach(s -> body.append(s.html()));
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n<style>\n"
                + "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1500px}\n"
                + "h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\n"
                + ".row{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}\n"
                + ".figs{flex:2 1 760px}.figs img{max-width:100%;display:block;margin-bottom:.6em}\n"
                + ".side{flex:1 1 340px;font-size:.9em}\n"
                + "table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
                + "th{background:#f3f3f3}.absent{color:#a33;font-style:italic}.settings{color:#555}\n"
                + "</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
    }
}
