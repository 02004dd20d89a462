package bnscope.core.tables;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The one definition of a bnscope table: its name (the folder under a run directory), its columns
 * with units and meaning, the columns that identify a row, and the partition column (a directory
 * level, e.g. {@code variant=batchnorm}, not stored inside the files).
 *
 * <p>The Parquet writers, the analysis jobs, {@code docs/tables.md} and the schema tests all read
 * this same object, so the documentation cannot drift from what is written.
 */
public final class TableSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String description;
    private final String partitionColumn;
    private final List<String> keyColumns;
    private final List<Column> columns;
    private transient Schema avro;

    private TableSchema(String name, String description, String partitionColumn, List<String> keyColumns,
                        List<Column> columns) {
        this.name = name;
        this.description = description;
        this.partitionColumn = partitionColumn;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = List.copyOf(columns);
        for (String key : keyColumns) {
            if (!key.equals(partitionColumn) && column(key).isEmpty()) {
                throw new IllegalArgumentException("key column " + key + " is not a column of " + name);
            }
        }
    }

    public static Builder builder(String name, String description) {
        return new Builder(name, description);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The directory-level partition column ("variant" for every table bnscope writes), or null. */
    public String partitionColumn() {
        return partitionColumn;
    }

    /** Columns that together identify one row (partition column included); exactly-once is checked on these. */
    public List<String> keyColumns() {
        return keyColumns;
    }

    /** The columns stored inside the Parquet files, in order (the partition column is not among them). */
    public List<Column> columns() {
        return columns;
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    /** The Avro record schema the Parquet files are written with. */
    public synchronized Schema avroSchema() {
        if (avro == null) {
            SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(avroRecordName()).namespace("bnscope.tables").fields();
            for (Column c : columns) {
                Schema type = avroType(c.type());
                if (c.nullable()) {
                    type = Schema.createUnion(Schema.create(Schema.Type.NULL), type);
                    fields = fields.name(c.name()).doc(c.doc()).type(type).withDefault(null);
                } else {
                    fields = fields.name(c.name()).doc(c.doc()).type(type).noDefault();
                }
            }
            avro = fields.endRecord();
        }
        return avro;
    }

    private String avroRecordName() {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("_")) {
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.append("Row").toString();
    }

    private static Schema avroType(ColumnType type) {
        return switch (type) {
            case STRING -> Schema.create(Schema.Type.STRING);
            case INT -> Schema.create(Schema.Type.INT);
            case LONG -> Schema.create(Schema.Type.LONG);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case FLOAT_ARRAY -> Schema.createArray(Schema.create(Schema.Type.FLOAT));
            case DOUBLE_ARRAY -> Schema.createArray(Schema.create(Schema.Type.DOUBLE));
        };
    }

    /** Builds a schema column by column. */
    public static final class Builder {
        private final String name;
        private final String description;
        private String partitionColumn;
        private final List<String> keys = new ArrayList<>();
        private final List<Column> columns = new ArrayList<>();

        private Builder(String name, String description) {
            this.name = name;
            this.description = description;
        }

        public Builder partitionedBy(String column) {
            this.partitionColumn = column;
            return this;
        }

        public Builder key(String... keyColumns) {
            Collections.addAll(keys, keyColumns);
            return this;
        }

        public Builder column(Column column) {
            columns.add(column);
            return this;
        }

        public Builder columns(List<Column> more) {
            columns.addAll(more);
            return this;
        }

        public Builder column(String columnName, ColumnType type, String unit, String doc) {
            return column(Column.of(columnName, type, unit, doc));
        }

        public TableSchema build() {
            return new TableSchema(name, description, partitionColumn, keys, columns);
        }
    }
}
