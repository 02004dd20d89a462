package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.SnapshotTables;
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

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

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
 * because the encoder boxes each element of a nullable array. Copying each array of the internal
 * rows in bulk ({@link ArrayData#toFloatArray}), straight from the Parquet reader's column vectors,
 * boxes nothing (docs/analysis.md has the measurements). Faster still, and the default, is not to use
 * Spark's Parquet reader for the two arrays at all ({@link IcsVectorPageSums}): its nested-column
 * reader spends more time assembling the arrays element by element than the sums take.
 */
final class IcsVectorSums {
    private static final Logger LOG = LoggerFactory.getLogger(IcsVectorSums.class);
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
     * Per ics_vectors row of {@code run}: the key, {@code bad} and Σ(g−g')², Σg², Σg'². A row whose arrays
     * differ in length (or lacks one) is bad; its sums cover the elements both arrays have. The
     * vectors are read as {@link IcsMetricsJob#VECTOR_READER_KEY} chooses: {@code pages} (default)
     * from their Parquet pages ({@link IcsVectorPageSums}) when every file has bnscope's layout,
     * {@code spark} with Spark's Parquet reader (the columnar scan read in place, or its rows when the
     * scan is not columnar); both give the same rows. The cell
     * columns are filled from the manifest after the sums ({@link CellColumns#complete}): filling them
     * in the scan's projection would leave Spark's columnar scan under a projection that is not plain
     * columns, and the sums would read copied rows instead of the column batches.
     */
    static Dataset<Row> of(RunDirectory run) {
        Dataset<Row> vectors = run.readAsStored(SnapshotTables.ICS_VECTORS);
        SparkSession spark = vectors.sparkSession();
        Dataset<Row> selected = vectors.select(COLUMNS.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        FileSourceScanExec scan = fileScan(selected.queryExecution().executedPlan());
        String reader = spark.conf().get(IcsMetricsJob.VECTOR_READER_KEY, "pages");
        if (!List.of("pages", "parquet-pages", "spark").contains(reader)) {
            throw new BadInputException("Spark conf " + IcsMetricsJob.VECTOR_READER_KEY + " is '" + reader
                    + "'; expected 'pages' (read the G and G' pages directly, the default), 'parquet-pages' (the same, "
                    + "with parquet-mr's row-group reader fetching the pages) or 'spark' (Spark's Parquet reader).");
        }
        JavaRDD<Row> sums = null;
        if (!reader.equals("spark") && scan != null) {
            StringBuilder whyNot = new StringBuilder();
            Optional<List<IcsVectorPageSums.Split>> splits = IcsVectorPageSums.splits(scan, spark.sparkContext().hadoopConfiguration(), whyNot);
            if (splits.isPresent()) {
                sums = IcsVectorPageSums.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), splits.get(),
                        reader.equals("pages") ? IcsVectorPageSums.PageSource.CHUNKS : IcsVectorPageSums.PageSource.PARQUET_MR);
            } else {
                LOG.info("ics_vectors read with Spark's Parquet reader: {}", whyNot);
            }
        }
        if (sums == null && scan != null && scan.supportsColumnar()) {
            int[] at = ordinals(scan);
            sums = scan.executeColumnar().toJavaRDD().flatMap(batch -> sumsOf(batch, at));
        } else if (sums == null) {
            sums = selected.queryExecution().toRdd().toJavaRDD().map(r -> sumsOf(r, IN_ORDER));
        }
        return CellColumns.complete(spark.createDataFrame(sums, SCHEMA), run);
    }

    /** The columns {@link #of} selects, in order, and {@link #sumsOf} reads. */
    private static final List<String> COLUMNS = List.of("variant", CellColumns.LEARNING_RATE, CellColumns.SEED, "worker", "step", "layer", "param", "g", "g_prime");
    private static final int[] IN_ORDER = java.util.stream.IntStream.range(0, COLUMNS.size()).toArray();

    /**
     * The Parquet scan under the select when nothing but column pruning and reordering lies between,
     * else null. Its rows can then be read in place (a columnar scan: without the copy into unsafe
     * rows that the row-based plan makes of every array, which a profile showed costing as much as
     * decoding the arrays) or its files read page by page.
     */
    static FileSourceScanExec fileScan(SparkPlan plan) {
        SparkPlan node = plan;
        while (!(node instanceof FileSourceScanExec) && node.children().size() == 1) {
            boolean onlyColumns = node instanceof ProjectExec p && p.projectList().forall(e -> e instanceof Attribute);
            if (!(onlyColumns || node instanceof WholeStageCodegenExec || node instanceof InputAdapter || node instanceof ColumnarToRowExec)) {
                return null;
            }
            node = node.children().head();
        }
        if (!(node instanceof FileSourceScanExec scan)) {
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
        // one bulk copy of each array (UnsafeArrayData and the column vectors both copy in bulk), then the same sums as the page path
        float[] g = r.isNullAt(at[7]) ? null : r.getArray(at[7]).toFloatArray();
        float[] p = r.isNullAt(at[8]) ? null : r.getArray(at[8]).toFloatArray();
        boolean missing = g == null || p == null;
        return row(string(r, at[0]), r.isNullAt(at[1]) ? null : r.getDouble(at[1]),
                r.isNullAt(at[2]) ? null : r.getLong(at[2]), r.getInt(at[3]), r.getLong(at[4]), r.getInt(at[5]),
                string(r, at[6]), missing || g.length != p.length, missing ? new double[3] : sums(g, p, Math.min(g.length, p.length)));
    }

    /** One row's sums from plain arrays ({@link IcsVectorPageSums}): the first {@code gLength} and {@code pLength} floats of g and g'. */
    static Row sums(String variant, Double learningRate, Long seed, int worker, long step, int layer, String param,
                    float[] g, int gLength, float[] p, int pLength) {
        return row(variant, learningRate, seed, worker, step, layer, param, gLength != pLength, sums(g, p, Math.min(gLength, pLength)));
    }

    /**
     * {‖g−g'‖², ‖g‖², ‖g'‖²} over the first n elements, in double precision. Four interleaved partial
     * sums of each (elements i ≡ k mod 4), added pairwise at the end: one running sum per quantity is a
     * chain of dependent additions, each waiting for the last, and a profile of the ics_metrics job put
     * a quarter of its task time in that loop; four independent chains keep the floating-point adder busy.
     * Every reader computes its rows with this method, so they agree bit for bit.
     */
    static double[] sums(float[] g, float[] p, int n) {
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        double g0 = 0, g1 = 0, g2 = 0, g3 = 0;
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double a0 = g[i], b0 = p[i], a1 = g[i + 1], b1 = p[i + 1];
            double a2 = g[i + 2], b2 = p[i + 2], a3 = g[i + 3], b3 = p[i + 3];
            d0 += (a0 - b0) * (a0 - b0);
            d1 += (a1 - b1) * (a1 - b1);
            d2 += (a2 - b2) * (a2 - b2);
            d3 += (a3 - b3) * (a3 - b3);
            g0 += a0 * a0;
            g1 += a1 * a1;
            g2 += a2 * a2;
            g3 += a3 * a3;
            p0 += b0 * b0;
            p1 += b1 * b1;
            p2 += b2 * b2;
            p3 += b3 * b3;
        }
        for (; i < n; i++) {
            double a = g[i], b = p[i];
            d0 += (a - b) * (a - b);
            g0 += a * a;
            p0 += b * b;
        }
        return new double[]{(d0 + d1) + (d2 + d3), (g0 + g1) + (g2 + g3), (p0 + p1) + (p2 + p3)};
    }

    private static Row row(String variant, Double learningRate, Long seed, int worker, long step, int layer, String param,
                           boolean bad, double[] s) {
        return RowFactory.create(variant, learningRate, seed, worker, step, layer, param, bad ? 1 : 0, s[0], s[1], s[2]);
    }

    private static String string(InternalRow r, int i) {
        return r.isNullAt(i) ? null : r.getUTF8String(i).toString();
    }
}
