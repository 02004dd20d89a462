package bnscope.core.snapshots;

import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;

/** Where probes put their rows. Implementations decide where the rows land (staged Parquet, memory). */
public interface SnapshotSink {
    /** Appends one row of {@code table}; the row must follow {@code table.avroSchema()}. */
    void write(TableSchema table, GenericRecord row);
}
