package bnscope.core.snapshots;

import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keeps rows in memory, by table name: for probes run outside Spark (tests, single-JVM runs, benchmarks). */
public final class MemorySnapshotSink implements SnapshotSink {
    private final Map<String, List<GenericRecord>> rows = new LinkedHashMap<>();

    @Override
    public synchronized void write(TableSchema table, GenericRecord row) {
        rows.computeIfAbsent(table.name(), k -> new ArrayList<>()).add(row);
    }

    public synchronized List<GenericRecord> rows(TableSchema table) {
        return List.copyOf(rows.getOrDefault(table.name(), List.of()));
    }
}
