package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The grid-cell key (issue 11): a cell is (variant, learning_rate, seed), and every table the
 * analysis reads or writes carries the three columns, so metric jobs group by cell and a grid of
 * one is just one cell.
 *
 * <p>Run directories written before the snapshot tables had {@code learning_rate} and {@code seed}
 * are read as a grid of one: their rows take the manifest's {@code train.learning_rate} and
 * {@code run.seed}, which is what such a run trained with. A run whose manifest records neither
 * (a hand-made directory) keeps null there; its one cell then shows an unknown learning rate or
 * seed rather than an invented one (docs/analysis.md).
 */
public final class CellColumns {
    public static final String LEARNING_RATE = MetricTables.CELL_LEARNING_RATE;
    public static final String SEED = MetricTables.CELL_SEED;
    /** variant, learning_rate, seed. */
    public static final List<String> KEY = MetricTables.CELL_KEY;

    private CellColumns() {
    }

    /** The cell key followed by {@code more}: the grouping of a metric job. */
    public static List<String> key(String... more) {
        List<String> k = new ArrayList<>(KEY);
        k.addAll(Arrays.asList(more));
        return List.copyOf(k);
    }

    /**
     * The schema {@code table} is read with: its declared columns ({@link SparkTableSchema#readType}) and the two cell
     * columns, nullable, when it does not declare them: files that hold them (a grid run) give their values, older
     * files give null, which {@link #complete} fills.
     */
    static StructType readType(TableSchema table) {
        StructType s = SparkTableSchema.readType(table);
        List<String> names = Arrays.asList(s.fieldNames());
        if (!names.contains(LEARNING_RATE)) {
            s = s.add(DataTypes.createStructField(LEARNING_RATE, DataTypes.DoubleType, true));
        }
        if (!names.contains(SEED)) {
            s = s.add(DataTypes.createStructField(SEED, DataTypes.LongType, true));
        }
        return s;
    }

    /**
     * {@code df} with both cell columns: a missing column is added, null values are filled, both from
     * the run's manifest (a run without a grid); present values are kept.
     */
    static Dataset<Row> complete(Dataset<Row> df, RunDirectory run) {
        OptionalDouble lr = run.recordedLearningRate();
        OptionalLong seed = run.recordedSeed();
        Column lrValue = lr.isPresent() ? lit(lr.getAsDouble()) : lit(null).cast("double");
        Column seedValue = seed.isPresent() ? lit(seed.getAsLong()) : lit(null).cast("long");
        List<String> columns = Arrays.asList(df.columns());
        Dataset<Row> out = df.withColumn(LEARNING_RATE, columns.contains(LEARNING_RATE)
                ? coalesce(col(LEARNING_RATE).cast("double"), lrValue) : lrValue);
        return out.withColumn(SEED, columns.contains(SEED) ? coalesce(col(SEED).cast("long"), seedValue) : seedValue);
    }
}
