package bnscope.analysis.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Small helpers that turn the sections' typed query rows into the arrays the figures plot. */
public final class Series {
    private Series() {
    }

    /** Rows grouped by a key, groups and rows in the order given. */
    static <T> Map<String, List<T>> byKey(List<T> rows, Function<T, String> key) {
        Map<String, List<T>> m = new LinkedHashMap<>();
        rows.forEach(r -> m.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r));
        return m;
    }

    /** One value per row; a null value is NaN (left out of the plots). */
    static <T> double[] values(List<T> rows, Function<T, ? extends Number> value) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            Number n = value.apply(rows.get(i));
            v[i] = n == null ? Double.NaN : n.doubleValue();
        }
        return v;
    }

    static <T> double[] doubles(List<T> rows, ToDoubleFunction<T> value) {
        return rows.stream().mapToDouble(value).toArray();
    }

    static double[] mid(double[] lo, double[] hi) {
        double[] m = new double[lo.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (lo[i] + hi[i]) / 2;
        }
        return m;
    }

    /** The median of the finite values (mean of the middle two for an even count), NaN when none. */
    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The requested layer if recorded, else the nearest recorded layer below it, else the smallest. */
    public static int clip(int requested, TreeSet<Integer> present) {
        if (present.contains(requested)) {
            return requested;
        }
        Integer below = present.floor(requested);
        return below != null ? below : present.first();
    }

    /** Each requested layer clipped to the recorded ones, duplicates dropped, in the requested order. */
    public static List<Integer> clipAll(List<Integer> requested, TreeSet<Integer> present) {
        return requested.stream().map(l -> clip(l, present)).distinct().toList();
    }
}
