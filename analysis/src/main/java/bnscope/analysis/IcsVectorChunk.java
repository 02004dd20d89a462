package bnscope.analysis;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

import static org.apache.spark.sql.functions.col;

/**
 * One {@code ics_vectors} row as Spark's bean encoder hands it to a task: the key and the same
 * elements of G and G', as plain {@code float[]}. {@link #sums} reduces a Dataset of them to
 * ‖G−G'‖², ‖G‖² and ‖G'‖² per row, in double precision, in one pass over both arrays. (Spark reads
 * every file column as nullable, so the encoder boxes each value on its way into the {@code float[]}:
 * that is most of what this costs over a bare scan.)
 *
 * <p>Why not {@code aggregate(zip_with(g, g_prime, ...))}: Spark 3.5 evaluates higher-order
 * functions interpreted, element by element, boxing every value; recomputing the sums that way took
 * 5 times as long as reading the vectors, exploding the arrays (codegen, but one hash-aggregate update
 * per value) about 3 times, this map about 2 times (docs/analysis.md). It runs inside the scan's
 * tasks like any other Dataset operation, so it scales out with them.
 */
public final class IcsVectorChunk implements Serializable {
    private static final long serialVersionUID = 1L;

    private String variant;
    private int worker;
    private long step;
    private int layer;
    private String param;
    private float[] g;
    private float[] gPrime;

    /** The per-row sums {@link #sums} produces: the key, {@code bad} (1 when g and g_prime differ in length) and the three sums. */
    static final StructType SUMS = DataTypes.createStructType(new org.apache.spark.sql.types.StructField[]{
            DataTypes.createStructField("variant", DataTypes.StringType, true),
            DataTypes.createStructField("worker", DataTypes.IntegerType, false),
            DataTypes.createStructField("step", DataTypes.LongType, false),
            DataTypes.createStructField("layer", DataTypes.IntegerType, false),
            DataTypes.createStructField("param", DataTypes.StringType, true),
            DataTypes.createStructField("bad", DataTypes.IntegerType, false),
            DataTypes.createStructField("d2", DataTypes.DoubleType, false),
            DataTypes.createStructField("gg", DataTypes.DoubleType, false),
            DataTypes.createStructField("pp", DataTypes.DoubleType, false)});

    /**
     * Per ics_vectors row: the key, {@code bad} and Σ(g−g')², Σg², Σg'² over the row's elements
     * (double precision). A row whose arrays differ in length (or is missing one) is bad; its sums
     * cover the elements both arrays have.
     */
    static Dataset<Row> sums(Dataset<Row> vectors) {
        // "GPrime" is what java.beans names the property of getGPrime()
        return vectors.select(col("variant"), col("worker"), col("step"), col("layer"), col("param"),
                        col("g"), col("g_prime").as("GPrime"))
                .as(Encoders.bean(IcsVectorChunk.class))
                .map((MapFunction<IcsVectorChunk, Row>) IcsVectorChunk::toSums, Encoders.row(SUMS));
    }

    Row toSums() {
        boolean bad = g == null || gPrime == null || g.length != gPrime.length;
        int n = g == null || gPrime == null ? 0 : Math.min(g.length, gPrime.length);
        double d2 = 0;
        double gg = 0;
        double pp = 0;
        for (int i = 0; i < n; i++) {
            double a = g[i];
            double b = gPrime[i];
            d2 += (a - b) * (a - b);
            gg += a * a;
            pp += b * b;
        }
        return RowFactory.create(variant, worker, step, layer, param, bad ? 1 : 0, d2, gg, pp);
    }

    public String getVariant() {
        return variant;
    }

    public void setVariant(String variant) {
        this.variant = variant;
    }

    public int getWorker() {
        return worker;
    }

    public void setWorker(int worker) {
        this.worker = worker;
    }

    public long getStep() {
        return step;
    }

    public void setStep(long step) {
        this.step = step;
    }

    public int getLayer() {
        return layer;
    }

    public void setLayer(int layer) {
        this.layer = layer;
    }

    public String getParam() {
        return param;
    }

    public void setParam(String param) {
        this.param = param;
    }

    public float[] getG() {
        return g;
    }

    public void setG(float[] g) {
        this.g = g;
    }

    public float[] getGPrime() {
        return gPrime;
    }

    public void setGPrime(float[] gPrime) {
        this.gPrime = gPrime;
    }
}
