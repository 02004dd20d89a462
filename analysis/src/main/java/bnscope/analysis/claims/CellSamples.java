package bnscope.analysis.claims;

import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One statistic's per-seed values, grouped by (variant, learning rate): what a claim compares. Built
 * from a query's rows (one per cell) or by hand in tests.
 */
public final class CellSamples {
    /** The seeds of one variant at one learning rate. */
    public record Group(String variant, Double learningRate) {
    }

    private final Map<Group, List<Double>> values = new LinkedHashMap<>();

    /** Adds one seed's value of the statistic. */
    public CellSamples add(String variant, Double learningRate, double value) {
        values.computeIfAbsent(new Group(variant, learningRate), k -> new ArrayList<>()).add(value);
        return this;
    }

    /** From rows with columns variant, learning_rate and {@code valueColumn}, one row per cell; null values are left out. */
    static CellSamples of(List<Row> rows, String valueColumn) {
        CellSamples s = new CellSamples();
        for (Row r : rows) {
            Object v = r.getAs(valueColumn);
            if (v != null) {
                s.add(r.getAs("variant"), r.getAs("learning_rate"), ((Number) v).doubleValue());
            }
        }
        return s;
    }

    public boolean has(String variant, Double learningRate) {
        return values.containsKey(new Group(variant, learningRate));
    }

    /** Mean, sd and n over the seeds of (variant, learning rate); n = 0 when there are none. */
    public Estimate estimate(String variant, Double learningRate) {
        return Estimate.of(values.getOrDefault(new Group(variant, learningRate), List.of()));
    }

    /** The learning rates at which every one of {@code variants} has values, ascending (an unknown rate last). */
    public List<Double> sharedLearningRates(List<String> variants) {
        TreeSet<Double> known = new TreeSet<>(Comparator.nullsLast(Comparator.naturalOrder()));
        values.keySet().forEach(g -> known.add(g.learningRate()));
        List<Double> out = new ArrayList<>();
        for (Double lr : known) {
            if (variants.stream().allMatch(v -> has(v, lr))) {
                out.add(lr);
            }
        }
        return out;
    }

    /** The variants with values at {@code learningRate}, in first-added order. */
    public List<String> variantsAt(Double learningRate) {
        return values.keySet().stream().filter(g -> Objects.equals(g.learningRate(), learningRate)).map(Group::variant).distinct().toList();
    }

    /** The per-seed values of (variant, learning rate), empty when there are none. */
    public List<Double> values(String variant, Double learningRate) {
        return List.copyOf(values.getOrDefault(new Group(variant, learningRate), List.of()));
    }

    /** Every (variant, learning rate) with values, in first-added order. */
    public List<Group> groups() {
        return List.copyOf(values.keySet());
    }

    /** The claims-table values of {@code variants} at {@code learningRate}, labelled {@code measure}. */
    public List<ClaimResult.Value> table(String measure, List<String> variants, Double learningRate) {
        return variants.stream().filter(v -> has(v, learningRate))
                .map(v -> new ClaimResult.Value(measure, v, learningRate, estimate(v, learningRate))).toList();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }
}
