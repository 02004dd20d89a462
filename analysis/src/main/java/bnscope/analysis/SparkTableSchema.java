package bnscope.analysis;

import bnscope.core.tables.Column;
import bnscope.core.tables.ColumnType;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The one translation between a bnscope {@link TableSchema} and Spark SQL: the {@link StructType}
 * a table is read with, the projection that puts a computed DataFrame into the table's exact column
 * order and types, and the check that a DataFrame (or a written table, read back) conforms.
 *
 * <p>Nullability is not part of the check: Spark marks most aggregate results nullable and Parquet
 * stores every column as optional, so only names, order and types can be compared from a schema.
 */
public final class SparkTableSchema {
    private SparkTableSchema() {
    }

    public static DataType sparkType(ColumnType type) {
        return switch (type) {
            case STRING -> DataTypes.StringType;
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case DOUBLE -> DataTypes.DoubleType;
            case FLOAT_ARRAY -> DataTypes.createArrayType(DataTypes.FloatType, true);
            case DOUBLE_ARRAY -> DataTypes.createArrayType(DataTypes.DoubleType, true);
        };
    }

    /** The columns stored in the table's files, in order. */
    public static StructType dataType(TableSchema table) {
        List<StructField> fields = new ArrayList<>();
        for (Column c : table.columns()) {
            fields.add(DataTypes.createStructField(c.name(), sparkType(c.type()), c.nullable()));
        }
        return DataTypes.createStructType(fields);
    }

    /**
     * The columns of the table as Spark reads its directory: the stored columns followed by the
     * partition column (a string taken from the {@code variant=...} directory names), if any.
     */
    public static StructType readType(TableSchema table) {
        StructType s = dataType(table);
        if (table.partitionColumn() != null) {
            s = s.add(DataTypes.createStructField(table.partitionColumn(), DataTypes.StringType, false));
        }
        return s;
    }

    /** Selects the table's columns from {@code df} in the table's order, cast to the table's types. */
    public static Dataset<Row> project(Dataset<Row> df, TableSchema table) {
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (Column c : table.columns()) {
            cols.add(col(c.name()).cast(sparkType(c.type())).as(c.name()));
        }
        return df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
    }

    /** Throws IllegalStateException naming the first difference when {@code actual} does not have exactly the table's columns. */
    public static void requireConforms(StructType actual, TableSchema table) {
        StructType expected = dataType(table);
        String problem = difference(actual, expected);
        if (problem != null) {
            throw new IllegalStateException("DataFrame does not conform to table " + table.name() + ": " + problem
                    + "\n  expected " + expected.simpleString() + "\n  actual   " + actual.simpleString());
        }
    }

    /** A description of the first name/order/type difference, or null when there is none. */
    static String difference(StructType actual, StructType expected) {
        StructField[] a = actual.fields();
        StructField[] e = expected.fields();
        for (int i = 0; i < Math.max(a.length, e.length); i++) {
            if (i >= a.length) {
                return "column " + e[i].name() + " (position " + i + ") is missing";
            }
            if (i >= e.length) {
                return "unexpected extra column " + a[i].name() + " at position " + i;
            }
            if (!a[i].name().equals(e[i].name())) {
                return "position " + i + " holds " + a[i].name() + " instead of " + e[i].name();
            }
            if (!sameType(a[i].dataType(), e[i].dataType())) {
                return "column " + e[i].name() + " has type " + a[i].dataType().simpleString() + " instead of "
                        + e[i].dataType().simpleString();
            }
        }
        return null;
    }

    private static boolean sameType(DataType a, DataType b) {
        // Array element nullability differs between writers (parquet-avro vs Spark); the element type is what matters.
        if (a instanceof org.apache.spark.sql.types.ArrayType aa && b instanceof org.apache.spark.sql.types.ArrayType bb) {
            return sameType(aa.elementType(), bb.elementType());
        }
        return a.equals(b);
    }
}
