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
        Dataset<Row> selected = vectors.select(col("variant"), col(CellColumns.LEARNING_RATE), col(CellColumns.SEED), col("worker"), col("step"), col("layer"), col("param"),
                col("g"), col("g_prime"));
        JavaRDD<Row> sums = selected.queryExecution().toRdd().toJavaRDD().map(IcsVectorSums::sumsOf);
        return vectors.sparkSession().createDataFrame(sums, SCHEMA);
    }

    /** One row's sums; the column positions are those of the select in {@link #of}. */
    static Row sumsOf(InternalRow r) {
        ArrayData g = r.isNullAt(7) ? null : r.getArray(7);
        ArrayData p = r.isNullAt(8) ? null : r.getArray(8);
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
        return RowFactory.create(string(r, 0), r.isNullAt(1) ? null : r.getDouble(1), r.isNullAt(2) ? null : r.getLong(2),
                r.getInt(3), r.getLong(4), r.getInt(5), string(r, 6), bad ? 1 : 0, d2, gg, pp);
    }

    private static String string(InternalRow r, int i) {
        return r.isNullAt(i) ? null : r.getUTF8String(i).toString();
    }
}
