package bnscope.analysis;

import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.ParquetTableWriter;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A hand-made run directory for tests: snapshot rows written with the project's own Parquet
 * writer, in the committed layout (TABLE/variant=V/part-...parquet), and a minimal manifest.
 */
public final class RunFixture {
    private record FileKey(TableSchema table, GridCell cell, int worker) {
    }

    private final Path dir;
    private final String runId;
    private final Map<FileKey, List<GenericRecord>> pending = new LinkedHashMap<>();
    /** Parquet writer settings instead of the project's writer's (row group and page sizes, dictionary, format version); null: the project's writer. */
    private UnaryOperator<AvroParquetWriter.Builder<GenericRecord>> writerSettings;

    public RunFixture(Path dir, String runId) {
        this.dir = dir;
        this.runId = runId;
    }

    public Path dir() {
        return dir;
    }

    /** Learning rate and seed of the cell {@link #add(TableSchema, String, int, long, Consumer)} writes: a grid of one. */
    public static final double LEARNING_RATE = 0.1;
    public static final long SEED = 1;

    /** Adds a row of {@code table} in the cell ({@code variant}, {@link #LEARNING_RATE}, {@link #SEED}); {@code fill} sets every column after the step key. */
    public RunFixture add(TableSchema table, String variant, int worker, long step, Consumer<GenericRecordBuilder> fill) {
        return add(table, new GridCell(Variant.fromName(variant), LEARNING_RATE, SEED), worker, step, fill);
    }

    /** Adds a row of {@code table} in grid cell {@code cell}; {@code fill} sets every column after the step key. */
    public RunFixture add(TableSchema table, GridCell cell, int worker, long step, Consumer<GenericRecordBuilder> fill) {
        StepKey key = worker < 0 ? StepKey.driver(runId, cell, step) : new StepKey(runId, cell, worker, (int) (step / 4), (int) (step % 4), step);
        GenericRecordBuilder b = key.startRow(table);
        fill.accept(b);
        pending.computeIfAbsent(new FileKey(table, cell, worker), k -> new ArrayList<>()).add(b.build());
        return this;
    }

    /**
     * Writes the next files with parquet-avro's writer set up by {@code settings} (on top of the
     * project writer's list layout and codec), to test readers on layouts the project's writer does
     * not produce at test sizes: many row groups and pages, dictionary pages, version-2 pages.
     */
    public RunFixture withWriterSettings(UnaryOperator<AvroParquetWriter.Builder<GenericRecord>> settings) {
        this.writerSettings = settings;
        return this;
    }

    /** Writes the pending rows (one file per table, cell and worker) and a manifest; returns the run directory. */
    public String write(String manifestJson) {
        SnapshotLayout layout = new SnapshotLayout(new org.apache.hadoop.fs.Path(dir.toUri()));
        Configuration conf = new Configuration();
        for (Map.Entry<FileKey, List<GenericRecord>> e : pending.entrySet()) {
            FileKey k = e.getKey();
            org.apache.hadoop.fs.Path file = k.worker() < 0
                    ? layout.driverFile(k.table(), k.cell(), 0)
                    : layout.committedFile(k.table(), k.cell(), 0, k.worker());
            if (writerSettings == null) {
                try (ParquetTableWriter w = new ParquetTableWriter(k.table(), file, conf)) {
                    e.getValue().forEach(w::write);
                }
                continue;
            }
            Configuration c = new Configuration(conf);
            c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
            try (ParquetWriter<GenericRecord> w = writerSettings.apply(AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(file, c))
                    .withSchema(k.table().avroSchema()).withConf(c).withCompressionCodec(CompressionCodecName.SNAPPY)).build()) {
                for (GenericRecord r : e.getValue()) {
                    w.write(r);
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
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
