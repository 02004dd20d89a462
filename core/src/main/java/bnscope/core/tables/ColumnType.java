package bnscope.core.tables;

/** The value types a bnscope table column can hold, with their Parquet/Avro and Spark SQL names. */
public enum ColumnType {
    STRING("string", "STRING"),
    INT("int", "INT"),
    LONG("long", "BIGINT"),
    DOUBLE("double", "DOUBLE"),
    /** A list of float32 values (Parquet LIST of FLOAT); used for gradient chunks and activation samples. */
    FLOAT_ARRAY("array<float>", "ARRAY<FLOAT>"),
    /** A list of float64 values (Parquet LIST of DOUBLE). */
    DOUBLE_ARRAY("array<double>", "ARRAY<DOUBLE>");

    private final String avroName;
    private final String sqlName;

    ColumnType(String avroName, String sqlName) {
        this.avroName = avroName;
        this.sqlName = sqlName;
    }

    /** The type as written in docs/tables.md. */
    public String avroName() {
        return avroName;
    }

    /** The Spark SQL type name, as {@code DataFrame.schema().simpleString()} would print it. */
    public String sqlName() {
        return sqlName;
    }
}
