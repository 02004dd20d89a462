package bnscope.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The figures of one scripts/benchmark.sh run (its {@code key=value} lines) and the formatting every
 * BENCHMARKS.md section shares. A missing or malformed figure reads as NaN and prints as "n/a", so a
 * stage that failed leaves gaps in the tables instead of stopping the report.
 */
public final class BenchmarkFigures {
    /** The variants the per-variant tables have a column for, in column order. */
    public static final List<String> VARIANTS = List.of("standard", "batchnorm", "noisy-batchnorm");
    /** Minibatch size of every step benchmark (the paper's 128). */
    public static final int BATCH = 128;

    private final Map<String, String> values;

    public BenchmarkFigures(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The figure as a number; NaN when it is missing or not a number. */
    public double num(String key) {
        return parse(values.get(key));
    }

    /** The figure as table text ("n/a" when missing). */
    public String text(String key) {
        return text(key, "n/a");
    }

    public String text(String key, String fallback) {
        String v = values.get(key);
        return v == null || v.isBlank() ? fallback : v.replace("|", "\\|");
    }

    public boolean is(String key, String value) {
        return value.equals(values.get(key));
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** {@code key=value} pairs whose key starts with {@code prefix}, prefix removed, in the run's order. */
    public List<Map.Entry<String, String>> withPrefix(String prefix) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.add(Map.entry(k.substring(prefix.length()), v));
            }
        });
        return out;
    }

    /** The 1-minute figure of a recorded load average ("1min 5min 15min"). */
    public double firstLoad(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Double.NaN : parse(v.trim().split("\\s+")[0]);
    }

    /** The libtorch peer variant with the same layers as a bnscope variant (noise has no libtorch twin). */
    public static String torchTwin(String variant) {
        return "standard".equals(variant) ? "nobn" : "bn";
    }

    /** Appends a table row with one cell per variant; a cell that cannot be computed prints "n/a". */
    public static void variantRow(StringBuilder md, String figure, Function<String, String> cell, String target) {
        md.append("| ").append(figure);
        for (String v : VARIANTS) {
            String value;
            try {
                value = cell.apply(v);
            } catch (RuntimeException e) {
                value = "n/a";
            }
            md.append(" | ").append(value);
        }
        md.append(" | ").append(target).append(" |\n");
    }

    public static String fmt(double x, String pattern) {
        return Double.isNaN(x) || Double.isInfinite(x) ? "n/a" : String.format(Locale.ROOT, pattern, x);
    }

    public static String times(double ratio) {
        return fmt(ratio, "%.2f") + (Double.isNaN(ratio) || Double.isInfinite(ratio) ? "" : "×");
    }

    /** " (meets)" or " (**misses**)" after a figure with a target; nothing when the figure is missing. */
    public static String verdict(boolean meets, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "";
        }
        return meets ? " (meets)" : " (**misses**)";
    }

    private static double parse(String v) {
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
