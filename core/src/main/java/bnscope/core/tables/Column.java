package bnscope.core.tables;

import java.util.Objects;

/**
 * One documented column of a bnscope table.
 *
 * @param name     column name (snake_case)
 * @param type     value type
 * @param nullable whether the column may be null
 * @param unit     unit or value domain, shown in docs/tables.md ("" when dimensionless)
 * @param doc      what the value means, in the paper's terms
 */
public record Column(String name, ColumnType type, boolean nullable, String unit, String doc) {
    public Column {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        unit = unit == null ? "" : unit;
        Objects.requireNonNull(doc);
    }

    public static Column of(String name, ColumnType type, String unit, String doc) {
        return new Column(name, type, false, unit, doc);
    }

    public static Column nullable(String name, ColumnType type, String unit, String doc) {
        return new Column(name, type, true, unit, doc);
    }
}
