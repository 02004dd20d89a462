package bnscope.analysis;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Reduces every {@code ics_vectors} row (the key and the same elements of G and G') to
 * ‖G−G'‖², ‖G‖² and ‖G'‖² over the row's elements, in double precision, in one pass over both
 * arrays, inside the scan's tasks (so it scales out with them; nothing but the small per-row sums
 * leaves the executors).
 *
 * <p>Why Spark's internal rows and not SQL: {@code aggregate(zip_with(g, g_prime, ...))} is what an
 * analyst writes (docs/queries.md), but Spark 3.5 evaluates higher-order functions interpreted,
 * element by element, boxing every value: recomputing the sums that way took 5 times as long as
 * reading the vectors; exploding the arrays about 3 times; a typed Dataset map about 2.5 times,
 * because the encoder boxes each element of a nullable array. Reading the arrays of the internal
 * rows in place ({@link ArrayData#getFloat}), straight from the Parquet reader's column vectors,
 * boxes nothing (docs/analysis.md has the measurements).
 */
final class IcsVectorSums {
    /** The per-row sums: the key, {@code bad} (1 when g and g_prime are missing or differ in length) and the three sums. */
    static final StructType SCHEMA = DataTypes.createStructType(new StructField[]{
            DataTypes.createStructField("variant", DataTypes.StringType, true),
            DataTypes.createStructField(CellColumns.LEARNING_RATE, DataTypes.DoubleType, true),
            DataTypes.createStructField(CellColumns.SEED, DataTypes.LongType, true),
            DataTypes.createStructField("worker", DataTypes.IntegerType, false),
            DataTypes.createStructField("step", DataTypes.LongType, false),
            DataTypes.createStructField("layer", DataTypes.IntegerType, false),
            DataTypes.createStructField("param", DataTypes.StringType, true),
            DataTypes.createStructField("bad", DataTypes.IntegerType, false),
            DataTypes.createStructField("d2", DataTypes.DoubleType, false),
            DataTypes.createStructField("gg", DataTypes.DoubleType, false),
            DataTypes.createStructField("pp", DataTypes.DoubleType, false)});

    private IcsVectorSums() {
    }

    /**
     * Per ics_vectors row: the key, {@code bad} and Σ(g−g')², Σg², Σg'². A row whose arrays differ
     * in length (or lacks one) is bad; its sums cover the elements both arrays have.
     */
    static Dataset<Row> of(Dataset<Row> vectors) {
        Dataset<Row> selected = vectors.select(COLUMNS.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        FileSourceScanExec scan = columnarScan(selected.queryExecution().executedPlan());
        JavaRDD<Row> sums;
        if (scan != null) {
            int[] at = ordinals(scan);
            sums = scan.executeColumnar().toJavaRDD().flatMap(batch -> sumsOf(batch, at));
        } else {
            sums = selected.queryExecution().toRdd().toJavaRDD().map(r -> sumsOf(r, IN_ORDER));
        }
        return vectors.sparkSession().createDataFrame(sums, SCHEMA);
    }

    /** The columns {@link #of} selects, in order, and {@link #sumsOf} reads. */
    private static final List<String> COLUMNS = List.of("variant", CellColumns.LEARNING_RATE, CellColumns.SEED, "worker", "step", "layer", "param", "g", "g_prime");
    private static final int[] IN_ORDER = java.util.stream.IntStream.range(0, COLUMNS.size()).toArray();

    /**
     * The Parquet scan under the select when it hands out column batches and nothing but column
     * pruning and reordering lies between: its rows are then read in place, without the copy into
     * unsafe rows that the row-based plan makes of every array (a profile showed that copy costing
     * as much as decoding the arrays). Null when the scan is not columnar (e.g. the nested-column
     * vectorized reader is off) or the plan does more than select columns.
     */
    static FileSourceScanExec columnarScan(SparkPlan plan) {
        SparkPlan node = plan;
        while (!(node instanceof FileSourceScanExec) && node.children().size() == 1) {
            boolean onlyColumns = node instanceof ProjectExec p && p.projectList().forall(e -> e instanceof Attribute);
            if (!(onlyColumns || node instanceof WholeStageCodegenExec || node instanceof InputAdapter || node instanceof ColumnarToRowExec)) {
                return null;
            }
            node = node.children().head();
        }
        if (!(node instanceof FileSourceScanExec scan) || !scan.supportsColumnar()) {
            return null;
        }
        return names(scan).containsAll(COLUMNS) ? scan : null;
    }

    private static int[] ordinals(FileSourceScanExec scan) {
        List<String> names = names(scan);
        return COLUMNS.stream().mapToInt(names::indexOf).toArray();
    }

    private static List<String> names(FileSourceScanExec scan) {
        List<String> names = new ArrayList<>();
        scan.output().foreach(a -> names.add(a.name()));
        return names;
    }

    /** The sums of every row of one column batch (its row view is reused: each row is reduced before the next). */
    private static Iterator<Row> sumsOf(ColumnarBatch batch, int[] at) {
        List<Row> out = new ArrayList<>(batch.numRows());
        for (int i = 0; i < batch.numRows(); i++) {
            out.add(sumsOf(batch.getRow(i), at));
        }
        return out.iterator();
    }

    /** One row's sums; {@code at} holds the positions of {@link #COLUMNS} in the row. */
    static Row sumsOf(InternalRow r, int[] at) {
        ArrayData g = r.isNullAt(at[7]) ? null : r.getArray(at[7]);
        ArrayData p = r.isNullAt(at[8]) ? null : r.getArray(at[8]);
        boolean bad = g == null || p == null || g.numElements() != p.numElements();
        int n = bad ? (g == null || p == null ? 0 : Math.min(g.numElements(), p.numElements())) : g.numElements();
        double d2 = 0;
        double gg = 0;
        double pp = 0;
        for (int i = 0; i < n; i++) {
            double a = g.getFloat(i);
            double b = p.getFloat(i);
            d2 += (a - b) * (a - b);
            gg += a * a;
            pp += b * b;
        }
        return RowFactory.create(string(r, at[0]), r.isNullAt(at[1]) ? null : r.getDouble(at[1]),
                r.isNullAt(at[2]) ? null : r.getLong(at[2]), r.getInt(at[3]), r.getLong(at[4]), r.getInt(at[5]),
                string(r, at[6]), bad ? 1 : 0, d2, gg, pp);
    }

    private static String string(InternalRow r, int i) {
        return r.isNullAt(i) ? null : r.getUTF8String(i).toString();
    }
}
