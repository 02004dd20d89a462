package bnscope.analysis.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The written index.html read back for tests: sections by their anchor, the tables in each, and
 * the text of a table cell, so a test compares a number in the cell it belongs to with the value
 * it computes from the run's tables (a number anywhere on the page proves nothing: the paper's
 * prose holds most small numbers).
 */
final class ReportPage {
    private static final Pattern SECTION = Pattern.compile("<h2 id=\"([^\"]+)\">");
    private static final Pattern TABLE = Pattern.compile("<table>(.*?)</table>", Pattern.DOTALL);
    private static final Pattern ROW = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern CELL = Pattern.compile("<t[hd]>(.*?)</t[hd]>", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    /** A table: its header and its rows, cells as plain text. */
    record Table(List<String> header, List<List<String>> rows) {
        /** The cell of column {@code column} in the one row whose cells satisfy {@code row}. */
        String cell(Predicate<List<String>> row, String column) {
            int c = header.indexOf(column);
            if (c < 0) {
                fail("no column '" + column + "' in " + header);
            }
            List<List<String>> matching = rows.stream().filter(row).toList();
            assertEquals(1, matching.size(), "rows matching in " + rows);
            return matching.get(0).get(c);
        }

        /** The cell of {@code column} in the row whose first cell is {@code key}. */
        String cell(String key, String column) {
            return cell(r -> r.get(0).equals(key), column);
        }

        List<String> column(String column) {
            int c = header.indexOf(column);
            return rows.stream().map(r -> r.get(c)).toList();
        }
    }

    private final String html;
    private final Map<String, String> sections = new LinkedHashMap<>();

    ReportPage(String html) {
        this.html = html;
        Matcher m = SECTION.matcher(html);
        List<Integer> starts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
            ids.add(m.group(1));
        }
        for (int i = 0; i < ids.size(); i++) {
            int end = i + 1 < ids.size() ? starts.get(i + 1) : html.length();
            sections.put(ids.get(i), html.substring(starts.get(i), end));
        }
    }

    String html() {
        return html;
    }

    /** The page's introduction: what stands between the title and the first section. */
    String intro() {
        int start = html.indexOf("</h1>");
        Matcher m = SECTION.matcher(html);
        return html.substring(start, m.find(start) ? m.start() : html.length());
    }

    /** The section anchors in page order. */
    List<String> sectionIds() {
        return List.copyOf(sections.keySet());
    }

    String section(String id) {
        String s = sections.get(id);
        assertNotNull(s, "no section " + id + " in " + sections.keySet());
        return s;
    }

    /** Every table of the page. */
    List<Table> tables() {
        return tablesIn(html);
    }

    /** The table of section {@code id} whose header starts with {@code firstColumns}. */
    Table table(String id, String... firstColumns) {
        List<Table> found = tablesIn(section(id)).stream()
                .filter(t -> t.header().size() >= firstColumns.length && t.header().subList(0, firstColumns.length).equals(List.of(firstColumns)))
                .toList();
        assertEquals(1, found.size(), "tables of section " + id + " with header " + List.of(firstColumns));
        return found.get(0);
    }

    Set<String> images() {
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        Set<String> out = new TreeSet<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<Table> tablesIn(String html) {
        List<Table> out = new ArrayList<>();
        Matcher t = TABLE.matcher(html);
        while (t.find()) {
            List<List<String>> rows = new ArrayList<>();
            Matcher r = ROW.matcher(t.group(1));
            while (r.find()) {
                List<String> cells = new ArrayList<>();
                Matcher c = CELL.matcher(r.group(1));
                while (c.find()) {
                    cells.add(unescape(c.group(1)));
                }
                rows.add(cells);
            }
            out.add(new Table(rows.get(0), rows.subList(1, rows.size())));
        }
        return out;
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }

    /** The numbers in a cell, in order ("83.0% (40)" -> [83.0, 40.0]). */
    static double[] numbers(String cell) {
        Matcher m = NUMBER.matcher(cell);
        List<Double> out = new ArrayList<>();
        while (m.find()) {
            out.add(Double.parseDouble(m.group()));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The one number in a cell. */
    static double number(String cell) {
        double[] n = numbers(cell);
        assertEquals(1, n.length, "one number in '" + cell + "'");
        return n[0];
    }
}
