package bnscope.analysis;

import bnscope.core.snapshots.ParquetTableWriter;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A hand-made run directory for tests: snapshot rows written with the project's own Parquet
 * writer, in the committed layout (TABLE/variant=V/part-...parquet), and a minimal manifest.
 */
public final class RunFixture {
    private record FileKey(TableSchema table, String variant, int worker) {
    }

    private final Path dir;
    private final String runId;
    private final Map<FileKey, List<GenericRecord>> pending = new LinkedHashMap<>();

    public RunFixture(Path dir, String runId) {
        this.dir = dir;
        this.runId = runId;
    }

    public Path dir() {
        return dir;
    }

    /** Adds a row of {@code table}; {@code fill} sets every column after the step key. */
    public RunFixture add(TableSchema table, String variant, int worker, long step, Consumer<GenericRecordBuilder> fill) {
        StepKey key = worker < 0 ? StepKey.driver(runId, variant, step) : new StepKey(runId, variant, worker, (int) (step / 4), (int) (step % 4), step);
        GenericRecordBuilder b = key.startRow(table);
        fill.accept(b);
        pending.computeIfAbsent(new FileKey(table, variant, worker), k -> new ArrayList<>()).add(b.build());
        return this;
    }

    /** Writes the pending rows (one file per table, variant and worker) and a manifest; returns the run directory. */
    public String write(String manifestJson) {
        SnapshotLayout layout = new SnapshotLayout(new org.apache.hadoop.fs.Path(dir.toUri()));
        Configuration conf = new Configuration();
        for (Map.Entry<FileKey, List<GenericRecord>> e : pending.entrySet()) {
            FileKey k = e.getKey();
            org.apache.hadoop.fs.Path file = k.worker() < 0
                    ? new org.apache.hadoop.fs.Path(layout.variantDir(k.table(), k.variant()), SnapshotLayout.driverFileName(0))
                    : layout.committedFile(k.table(), k.variant(), 0, k.worker());
            try (ParquetTableWriter w = new ParquetTableWriter(k.table(), file, conf)) {
                e.getValue().forEach(w::write);
            }
        }
        pending.clear();
        try {
            if (manifestJson != null) {
                Files.writeString(dir.resolve("manifest.json"), manifestJson);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toString();
    }

    public String write() {
        return write("{\"run_id\": \"" + runId + "\", \"config\": {\"train\": {\"lr\": 0.1, \"steps\": 20}}, "
                + "\"variants\": [\"standard\", \"batchnorm\"], \"status\": \"completed\"}");
    }
}
