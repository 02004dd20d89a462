package bnscope.analysis;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A console table with aligned columns: numbers right-aligned, text left-aligned. */
public final class TextTable {
    private final List<String> headers;
    private final boolean[] numeric;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(List<String> headers, boolean[] numeric) {
        this.headers = List.copyOf(headers);
        this.numeric = numeric.clone();
    }

    /** A table with the columns of a Spark schema. */
    public static TextTable of(StructType schema) {
        StructField[] f = schema.fields();
        boolean[] numeric = new boolean[f.length];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < f.length; i++) {
            names.add(f[i].name());
            numeric[i] = f[i].dataType() instanceof NumericType;
        }
        return new TextTable(names, numeric);
    }

    public TextTable add(List<String> cells) {
        rows.add(List.copyOf(cells));
        return this;
    }

    public TextTable add(Row row) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
            cells.add(format(row.get(i)));
        }
        return add(cells);
    }

    /** Formats a cell value: up to 6 significant digits for doubles, the first elements of arrays. */
    public static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.toString(d);
            }
            double a = Math.abs(d);
            if (a == 0 || a >= 1e-4 && a < 1e6) {
                String s = String.format(Locale.ROOT, "%.6g", d);
                return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
            }
            return String.format(Locale.ROOT, "%.5e", d);
        }
        if (v instanceof Seq<?> seq) {
            StringBuilder sb = new StringBuilder("[");
            int n = seq.size();
            for (int i = 0; i < Math.min(n, 4); i++) {
                sb.append(i > 0 ? ", " : "").append(format(seq.apply(i)));
            }
            return sb.append(n > 4 ? ", … (" + n + ")]" : "]").toString();
        }
        return v.toString();
    }

    public int size() {
        return rows.size();
    }

    public String render() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width);
        for (int i = 0; i < width.length; i++) {
            sb.append(i > 0 ? "  " : "").append("-".repeat(width[i]));
        }
        sb.append('\n');
        rows.forEach(r -> line(sb, r, width));
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            sb.append(i > 0 ? "  " : "").append(numeric[i] ? pad + c : (i == width.length - 1 ? c : c + pad));
        }
        sb.append('\n');
    }
}
