package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.ColumnType;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.*;

/**
 * Compares the metric tables of two runs, e.g. a run and its re-run: the check a reproducibility
 * pipeline makes. For each metric table present in either run, the rows are joined on the table's
 * key columns; each numeric column reports its largest absolute and relative difference and how
 * many rows differ by more than the tolerance, and each table reports the keys found in only one
 * run. Entry point of {@code ./submit.sh compare RUN_A RUN_B}.
 *
 * <p>Two values a, b agree when {@code |a − b| ≤ tol · max(1, |a|, |b|)}: relative for large
 * values, absolute below 1, so values that should be 0 do not need to be exactly 0. The default
 * tol = 1e-6 accepts a different order of floating-point summation (Spark aggregates in
 * whatever order tasks finish) while any change of the training itself shows. Null equals null
 * and NaN equals NaN; null or NaN against a number is a difference of +∞.
 */
public final class CompareCommand {
    public static final double DEFAULT_TOLERANCE = 1e-6;
    static final String KEYS = "(keys)";

    private CompareCommand() {
    }

    /**
     * One line of the comparison: either the key line of a table ({@code column} = "(keys)") with
     * row counts, or one column with its differences (over rows present in both runs).
     */
    public record Line(String table, String column, long rowsA, long rowsB, long onlyInA, long onlyInB,
                       double maxAbsDiff, double maxRelDiff, long overTolerance, String note) {
        boolean differs() {
            return onlyInA > 0 || onlyInB > 0 || overTolerance > 0 || note != null;
        }
    }

    /** All lines of a comparison and the tolerance used. */
    public record Result(String runA, String runB, double tolerance, List<Line> lines) {
        public boolean identical() {
            return lines.stream().noneMatch(Line::differs);
        }

        /** Lines that differ (key mismatch, column over tolerance, or a table in one run only). */
        public List<Line> differences() {
            return lines.stream().filter(Line::differs).toList();
        }

        public String render() {
            TextTable t = new TextTable(List.of("table", "column", "rows_a", "rows_b", "only_a", "only_b", "max_abs_diff",
                    "max_rel_diff", "over_tol", "note"), new boolean[]{false, false, true, true, true, true, true, true, true, false});
            for (Line l : lines) {
                boolean key = l.column().equals(KEYS);
                t.add(List.of(l.table(), l.column(),
                        key ? Long.toString(l.rowsA()) : "", key ? Long.toString(l.rowsB()) : "",
                        key ? Long.toString(l.onlyInA()) : "", key ? Long.toString(l.onlyInB()) : "",
                        key || Double.isNaN(l.maxAbsDiff()) ? "" : TextTable.format(l.maxAbsDiff()),
                        key || Double.isNaN(l.maxRelDiff()) ? "" : TextTable.format(l.maxRelDiff()),
                        key ? "" : Long.toString(l.overTolerance()),
                        l.note() == null ? "" : l.note()));
            }
            return t.render();
        }
    }

    public static Result compare(SparkSession spark, String runA, String runB, double tolerance) {
        if (!(tolerance >= 0)) {
            throw new BadInputException("compare: the tolerance must be a non-negative number, got " + tolerance + ".");
        }
        RunDirectory a = requireRun(spark, runA, "A");
        RunDirectory b = requireRun(spark, runB, "B");
        List<Line> lines = new ArrayList<>();
        boolean any = false;
        for (TableSchema t : MetricTables.all()) {
            boolean inA = a.has(t);
            boolean inB = b.has(t);
            if (!inA && !inB) {
                continue;
            }
            any = true;
            if (inA != inB) {
                lines.add(new Line(t.name(), KEYS, inA ? a.read(t).count() : 0, inB ? b.read(t).count() : 0, 0, 0,
                        Double.NaN, Double.NaN, 0, "table missing in run " + (inA ? "B" : "A")));
                continue;
            }
            lines.addAll(compareTable(t, a.read(t), b.read(t), tolerance));
        }
        if (!any) {
            throw new BadInputException("Neither " + a.path() + " nor " + b.path() + " holds a metric table ("
                    + String.join(", ", MetricTables.all().stream().map(TableSchema::name).toList())
                    + "). Run `analyze` on both runs first.");
        }
        return new Result(a.path().toString(), b.path().toString(), tolerance, lines);
    }

    /**
     * Opens a directory that must hold a run: without a manifest it is no run, and comparing it
     * would report every table "missing in run B" as if the runs differed (exit 1) instead of
     * saying the argument is wrong.
     */
    private static RunDirectory requireRun(SparkSession spark, String dir, String which) {
        RunDirectory run = RunDirectory.open(spark, dir);
        if (!run.hasManifest()) {
            throw new BadInputException(dir + " (run " + which + ") holds no run: there is no "
                    + RunDirectory.MANIFEST + " in it. Pass two directories written by a training run (each holds "
                    + RunDirectory.MANIFEST + " and table folders such as metrics/ and, after `analyze`, curves/).");
        }
        return run;
    }

    /** Compares one table, in one aggregate query over the full outer join of the two runs' rows. */
    static List<Line> compareTable(TableSchema t, Dataset<Row> a, Dataset<Row> b, double tolerance) {
        List<String> keys = t.keyColumns();
        List<bnscope.core.tables.Column> values = t.columns().stream().filter(c -> !keys.contains(c.name())).toList();
        // null-safe key equality: a run without a recorded learning rate or seed has null cell keys, and equal nulls match
        Dataset<Row> sideA = side(a, keys, values, "a");
        Dataset<Row> sideB = side(b, keys, values, "b");
        Column sameKey = lit(true);
        for (String k : keys) {
            sameKey = sameKey.and(sideA.col(k + "__ka").eqNullSafe(sideB.col(k + "__kb")));
        }
        Dataset<Row> joined = sideA.join(sideB, sameKey, "full_outer");
        Column both = col("in__a").isNotNull().and(col("in__b").isNotNull());
        // per-row differences first (a projection), then plain aggregates over them: keeps the generated code small
        List<Column> perRow = new ArrayList<>(List.of(col("in__a"), col("in__b"), both.as("both")));
        List<Column> aggs = new ArrayList<>(List.of(
                count("in__a"), count("in__b"),
                count(when(col("in__b").isNull(), lit(1))), count(when(col("in__a").isNull(), lit(1)))));
        for (int i = 0; i < values.size(); i++) {
            bnscope.core.tables.Column c = values.get(i);
            Column x = col(c.name() + "__a");
            Column y = col(c.name() + "__b");
            Column inBoth = col("both");
            Column absDiff = col("abs" + i);
            if (isNumeric(c.type())) {
                Column xd = x.cast("double");
                Column yd = y.cast("double");
                Column unequalKind = x.isNull().or(y.isNull()).or(isnan(xd)).or(isnan(yd));
                perRow.add(when(x.eqNullSafe(y), lit(0.0)).when(unequalKind, lit(Double.POSITIVE_INFINITY))
                        .otherwise(abs(xd.minus(yd))).as("abs" + i));
                perRow.add(when(unequalKind, lit(1.0)).otherwise(greatest(abs(xd), abs(yd))).as("scale" + i));
                Column scale = col("scale" + i);
                aggs.add(max(when(inBoth, absDiff)));
                aggs.add(max(when(inBoth, when(absDiff.equalTo(0), lit(0.0))
                        .when(absDiff.equalTo(Double.POSITIVE_INFINITY), absDiff).otherwise(absDiff.divide(scale)))));
                aggs.add(count(when(inBoth.and(absDiff.gt(greatest(lit(1.0), scale).multiply(tolerance))), lit(1))));
            } else {
                perRow.add(when(x.eqNullSafe(y), lit(0.0)).otherwise(lit(Double.POSITIVE_INFINITY)).as("abs" + i));
                aggs.add(lit(null).cast("double"));
                aggs.add(lit(null).cast("double"));
                aggs.add(count(when(inBoth.and(absDiff.gt(0)), lit(1))));
            }
        }
        joined = joined.select(perRow.toArray(new Column[0]));
        Row r = joined.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        List<Line> lines = new ArrayList<>();
        long rowsA = r.getLong(0);
        long rowsB = r.getLong(1);
        lines.add(new Line(t.name(), KEYS, rowsA, rowsB, r.getLong(2), r.getLong(3), Double.NaN, Double.NaN, 0, null));
        for (int i = 0; i < values.size(); i++) {
            int at = 4 + 3 * i;
            double maxAbs = r.isNullAt(at) ? Double.NaN : r.getDouble(at);
            double maxRel = r.isNullAt(at + 1) ? Double.NaN : r.getDouble(at + 1);
            lines.add(new Line(t.name(), values.get(i).name(), rowsA, rowsB, 0, 0, maxAbs, maxRel, r.getLong(at + 2), null));
        }
        return lines;
    }

    private static boolean isNumeric(ColumnType type) {
        return type == ColumnType.INT || type == ColumnType.LONG || type == ColumnType.DOUBLE;
    }

    private static Dataset<Row> side(Dataset<Row> df, List<String> keys, List<bnscope.core.tables.Column> values, String suffix) {
        List<Column> cols = new ArrayList<>();
        keys.forEach(k -> cols.add(col(k).as(k + "__k" + suffix)));
        values.forEach(c -> cols.add(col(c.name()).as(c.name() + "__" + suffix)));
        cols.add(lit(true).as("in__" + suffix));
        return df.select(cols.toArray(new Column[0]));
    }

    public static int run(SparkSession spark, String runA, String runB, double tolerance) {
        return run(spark, runA, runB, tolerance, System.out);
    }

    /** Prints the comparison; returns 0 when the runs agree within the tolerance, 1 otherwise. */
    public static int run(SparkSession spark, String runA, String runB, double tolerance, PrintStream console) {
        return report(compare(spark, runA, runB, tolerance), console);
    }

    /** Prints a comparison; returns 0 when the runs agree within its tolerance, 1 otherwise. */
    public static int report(Result result, PrintStream console) {
        double tolerance = result.tolerance();
        console.println("compare A = " + result.runA());
        console.println("        B = " + result.runB());
        console.print(result.render());
        List<Line> diffs = result.differences();
        if (diffs.isEmpty()) {
            console.printf(Locale.ROOT, "runs agree: every value within |a-b| <= %.1e * max(1, |a|, |b|), no missing keys%n", tolerance);
            return 0;
        }
        console.printf(Locale.ROOT, "runs DIFFER (tolerance %.1e): %s%n", tolerance, String.join("; ", diffs.stream().map(l ->
                l.column().equals(KEYS) ? l.table() + " " + (l.note() != null ? l.note() : l.onlyInA() + " keys only in A, " + l.onlyInB() + " only in B")
                        : l.table() + "." + l.column() + " " + l.overTolerance() + " rows over tolerance").toList()));
        return 1;
    }
}
