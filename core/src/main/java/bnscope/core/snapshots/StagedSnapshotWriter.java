package bnscope.core.snapshots;

import bnscope.core.grid.GridCell;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;

import java.io.Closeable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sink one training task attempt writes its snapshot rows to: one staged Parquet file per
 * table, opened on the first row, under the attempt's own staging directory. Nothing here is
 * visible in the run's tables until the driver commits the attempt ({@link SnapshotLayout}).
 */
public final class StagedSnapshotWriter implements SnapshotSink, Closeable {
    private final SnapshotLayout layout;
    private final long taskAttemptId;
    private final GridCell cell;
    private final int split;
    private final int worker;
    private final Configuration conf;
    private final Map<String, ParquetTableWriter> open = new LinkedHashMap<>();

    public StagedSnapshotWriter(SnapshotLayout layout, long taskAttemptId, GridCell cell, int split, int worker,
                                Configuration conf) {
        this.layout = layout;
        this.taskAttemptId = taskAttemptId;
        this.cell = cell;
        this.split = split;
        this.worker = worker;
        this.conf = conf;
    }

    @Override
    public synchronized void write(TableSchema table, GenericRecord row) {
        open.computeIfAbsent(table.name(), name -> new ParquetTableWriter(table,
                layout.stagedFile(taskAttemptId, table, cell, split, worker), conf)).write(row);
    }

    /** Rows written so far, by table name. */
    public synchronized Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        open.forEach((name, w) -> counts.put(name, w.rows()));
        return counts;
    }

    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (ParquetTableWriter w : open.values()) {
            try {
                w.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
