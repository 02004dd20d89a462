package bnscope.jobs;

import bnscope.core.tables.Column;
import bnscope.core.tables.ColumnType;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;

/**
 * Compares the snapshot tables of two runs of the same config row by row: the same keys on both
 * sides, and every floating-point column equal within a relative tolerance. Training on the cluster
 * is reproducible (seeded data split and initialization, one native thread per task), so a run that
 * lost an executor must match one that did not: a retried split recomputes the lost attempt's numbers
 * instead of adding to them.
 */
final class RunComparison {
    private RunComparison() {
    }

    /** Differences between runs {@code a} and {@code b} (empty when they agree). */
    static List<String> differences(SparkSession spark, Path a, Path b, double relTolerance) {
        List<String> out = new ArrayList<>();
        for (TableSchema table : SnapshotTables.all()) {
            boolean inA = Files.isDirectory(a.resolve(table.name()));
            boolean inB = Files.isDirectory(b.resolve(table.name()));
            if (inA != inB) {
                out.add(table.name() + ": only in " + (inA ? a : b));
            }
            if (inA && inB) {
                compare(spark, table, a, b, relTolerance, out);
            }
        }
        return out;
    }

    private static void compare(SparkSession spark, TableSchema table, Path a, Path b, double tol, List<String> out) {
        List<String> keys = table.keyColumns();
        List<String> values = table.columns().stream().filter(c -> c.type() == ColumnType.DOUBLE).map(Column::name).toList();
        Dataset<Row> joined = side(spark, a, table, "a", values)
                .join(side(spark, b, table, "b", values), JavaConverters.asScalaBuffer(keys).toSeq(), "full_outer");
        // One pass per table: a flag per value column, then only the rows that are off.
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        keys.forEach(k -> cols.add(col(k)));
        org.apache.spark.sql.Column unmatched = col("a_present").isNull().or(col("b_present").isNull());
        cols.add(unmatched.as("unmatched"));
        org.apache.spark.sql.Column any = unmatched;
        for (String v : values) {
            org.apache.spark.sql.Column x = col("a_" + v);
            org.apache.spark.sql.Column y = col("b_" + v);
            // Spark SQL orders NaN above every number, so NaN rows are compared by their NaN-ness only.
            org.apache.spark.sql.Column numbers = isnan(x).or(isnan(y)).or(x.isNull()).or(y.isNull()).unary_$bang();
            org.apache.spark.sql.Column differs = unmatched.unary_$bang().and(isnan(x).notEqual(isnan(y))
                    .or(x.isNull().notEqual(y.isNull()))
                    .or(numbers.and(abs(x.minus(y)).gt(greatest(abs(x), abs(y), lit(1.0)).multiply(tol)))));
            cols.add(differs.as("differs_" + v));
            cols.add(x);
            cols.add(y);
            any = any.or(differs);
        }
        List<Row> bad = joined.where(any).select(JavaConverters.asScalaBuffer(cols).toSeq()).limit(50).collectAsList();
        List<String> unmatchedKeys = bad.stream().filter(r -> r.getBoolean(keys.size())).limit(5)
                .map(r -> keysOf(r, keys.size())).toList();
        if (!unmatchedKeys.isEmpty()) {
            out.add(table.name() + ": keys " + keys + " present in one run only, e.g. " + unmatchedKeys);
        }
        for (int i = 0; i < values.size(); i++) {
            int flag = keys.size() + 1 + 3 * i;
            List<String> diff = bad.stream().filter(r -> r.getBoolean(flag)).limit(5)
                    .map(r -> keysOf(r, keys.size()) + ": " + r.get(flag + 1) + " vs " + r.get(flag + 2)).toList();
            if (!diff.isEmpty()) {
                out.add(table.name() + "." + values.get(i) + " differs beyond " + tol + " (relative), e.g. " + diff);
            }
        }
    }

    private static String keysOf(Row r, int n) {
        List<Object> k = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            k.add(r.get(i));
        }
        return k.toString();
    }

    private static Dataset<Row> side(SparkSession spark, Path run, TableSchema table, String prefix, List<String> values) {
        Dataset<Row> rows = spark.read().parquet(run.resolve(table.name()).toString());
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        table.keyColumns().forEach(k -> cols.add(col(k)));
        values.forEach(v -> cols.add(col(v).as(prefix + "_" + v)));
        cols.add(lit(1).as(prefix + "_present"));
        return rows.select(JavaConverters.asScalaBuffer(cols).toSeq());
    }

}
