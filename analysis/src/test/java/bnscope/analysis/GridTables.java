package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-made, analyzed grid run for the claims tests: metric tables (and theory_checks) with the
 * cell columns, written as real Parquet with the tables' declared schemas, and a manifest. Rows are
 * given as the table's columns in order.
 */
public final class GridTables {
    private final Path dir;
    private final Map<TableSchema, List<Row>> rows = new LinkedHashMap<>();
    private final java.util.Set<TableSchema> legacy = new java.util.HashSet<>();
    private final Map<String, Object> config = new LinkedHashMap<>(Map.of("train.learning_rate", 0.1, "run.seed", 1));
    private final Map<String, Object> cells = new LinkedHashMap<>();

    public GridTables(Path dir) {
        this.dir = dir;
    }

    /** One row of {@code table}, its values in the table's column order (snapshot tables: the partition column variant last). */
    public GridTables add(TableSchema table, Object... values) {
        rows.computeIfAbsent(table, t -> new ArrayList<>()).add(RowFactory.create(values));
        return this;
    }

    /** Records one more config value in the manifest (dotted key, as TrainJob records them). */
    public GridTables withConfig(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** Writes {@code table} as runs did before the snapshot tables had learning_rate and seed: rows then omit both values. */
    public GridTables withoutCellColumns(TableSchema table) {
        legacy.add(table);
        return this;
    }

    /**
     * A curves row per train step 0..steps-1 of one cell, accuracy rising as 1 − 0.9·exp(−speed·step)
     * (loss 2.3·exp(−speed·step) + floor), smoothed = raw.
     */
    public GridTables trainCurve(String variant, double lr, long seed, int steps, double speed, double floor) {
        for (long s = 0; s < steps; s++) {
            double acc = 1 - 0.9 * Math.exp(-speed * s);
            double loss = 2.3 * Math.exp(-speed * s) + floor;
            add(MetricTables.CURVES, variant, lr, seed, "train", s, 128L, loss, acc, loss, acc);
        }
        return this;
    }

    /** Records a grid cell in the manifest (cells.ID: variant, learning_rate, seed, status, steps_done). */
    public GridTables withCell(String id, String variant, double lr, long seed, String status, long stepsDone) {
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("variant", variant);
        cell.put("learning_rate", lr);
        cell.put("seed", seed);
        cell.put("status", status);
        cell.put("steps_done", stepsDone);
        cells.put(id, cell);
        return this;
    }

    /** Writes the tables and a manifest (run.seed 1, train.learning_rate 0.1 and {@link #withConfig}'s values); returns the run directory. */
    public String write(SparkSession spark) {
        for (Map.Entry<TableSchema, List<Row>> e : rows.entrySet()) {
            TableSchema t = e.getKey();
            StructType schema = SparkTableSchema.readType(t);
            if (legacy.contains(t)) {
                schema = new StructType(java.util.Arrays.stream(schema.fields())
                        .filter(f -> !f.name().equals(CellColumns.LEARNING_RATE) && !f.name().equals(CellColumns.SEED)).toArray(StructField[]::new));
            }
            var df = spark.createDataFrame(e.getValue(), schema);
            var writer = df.write().mode(SaveMode.Overwrite);
            (t.partitionColumn() != null ? writer.partitionBy(t.partitionColumn()) : writer).parquet(dir.resolve(t.name()).toString());
        }
        try {
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("run_id", "grid");
            manifest.put("status", "completed");
            manifest.put("config", config);
            if (!cells.isEmpty()) {
                manifest.put("cells", cells);
            }
            Files.writeString(dir.resolve("manifest.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toString();
    }
}
