package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.TableSchema;
import bnscope.core.run.Manifest;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.RunLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One run directory as the analysis sees it: its manifest (read by {@link ManifestFile}; every
 * field optional here) and the snapshot and metric tables it holds, read through Spark with the schema
 * from {@link bnscope.core.tables}. Works on any Hadoop file system Spark is configured for.
 */
public final class RunDirectory {
    public static final String MANIFEST = RunLayout.MANIFEST;

    private final SparkSession spark;
    private final Path dir;
    private final FileSystem fs;
    private final Optional<Manifest> record;
    private final JsonNode manifest;

    private RunDirectory(SparkSession spark, Path dir, FileSystem fs, Optional<Manifest> record) {
        this.spark = spark;
        this.dir = dir;
        this.fs = fs;
        this.record = record;
        this.manifest = record.<JsonNode>map(ManifestFile::tree).orElse(MissingNode.getInstance());
    }

    /** Opens {@code dir}; throws BadInputException when it does not exist or its manifest is not JSON. */
    public static RunDirectory open(SparkSession spark, String dir) {
        return open(spark, spark.sparkContext().hadoopConfiguration(), dir);
    }

    /**
     * Opens {@code dir} for its manifest and the list of its tables only, with no Spark session
     * (e.g. to print the DuckDB views, {@link DuckDbScript}); {@link #read} then fails.
     */
    public static RunDirectory openFiles(Configuration hadoop, String dir) {
        return open(null, hadoop, dir);
    }

    private static RunDirectory open(SparkSession spark, Configuration hadoop, String dir) {
        Path path = new Path(dir);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.exists(path) || !fs.getFileStatus(path).isDirectory()) {
                throw new BadInputException("Run directory " + dir + " does not exist or is not a directory. "
                        + "Pass the directory a training run wrote (the one holding manifest.json and the table folders).");
            }
            path = fs.makeQualified(path);
            return new RunDirectory(spark, path, fs, ManifestFile.readIfPresent(fs, path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run directory " + dir, e);
        }
    }

    public Path path() {
        return dir;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public SparkSession spark() {
        return spark;
    }

    public boolean hasManifest() {
        return record.isPresent();
    }

    /** The manifest (empty when the run has none). */
    public Optional<Manifest> record() {
        return record;
    }

    /** The manifest as a JSON tree, for rendering any field ({@link MissingNode} when the run has none). */
    public JsonNode manifest() {
        return manifest;
    }

    /** The run's name: the manifest's run_id, else the directory's name. */
    public String name() {
        String id = record.map(m -> m.runId).orElse(null);
        return id != null && !id.isBlank() ? id : dir.getName();
    }

    /** The manifest's config object ({@link MissingNode} when absent). */
    public JsonNode config() {
        return manifest.path("config");
    }

    /** The manifest's status, or "unknown". */
    public String status() {
        return record.map(m -> m.status).orElse("unknown");
    }

    /**
     * The grid cells whose manifest status is not {@code completed} (stopped, failed, still running),
     * by cell id in training order; empty for a run without cells. Their tables hold the steps they
     * reached, so a statistic of the "final" value must leave them out and a figure must say so.
     */
    public Map<String, Manifest.Cell> unfinishedCells() {
        Map<String, Manifest.Cell> out = new LinkedHashMap<>();
        record.ifPresent(m -> m.cells.forEach((id, c) -> {
            if (!Manifest.COMPLETED.equals(c.status) && c.variant != null) {
                out.put(id, c);
            }
        }));
        return out;
    }

    /** {@link #unfinishedCells()}, each as "ID (status, S steps done)". */
    public List<String> unfinishedCellNames() {
        List<String> out = new ArrayList<>();
        unfinishedCells().forEach((id, c) -> out.add(id + " (" + c.status + ", " + (c.stepsDone == null ? 0 : c.stepsDone) + " steps done)"));
        return out;
    }

    public Path tablePath(TableSchema table) {
        return new Path(dir, table.name());
    }

    /** True when the table's folder holds at least one Parquet file (outside hidden _ and . entries, as Spark reads it). */
    public boolean has(TableSchema table) {
        Path p = tablePath(table);
        try {
            return fs.exists(p) && holdsParquet(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + p, e);
        }
    }

    // listStatus rather than listFiles: on the local file system listFiles reads each file's
    // permissions by starting a process per file, which made every check cost tens of milliseconds.
    private boolean holdsParquet(Path folder) throws IOException {
        for (FileStatus f : fs.listStatus(folder)) {
            String name = f.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (f.isDirectory() ? holdsParquet(f.getPath()) : name.endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }

    /** The tables among {@code tables} this run holds. */
    public List<TableSchema> present(List<TableSchema> tables) {
        List<TableSchema> out = new ArrayList<>();
        for (TableSchema t : tables) {
            if (has(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Reads a table with its declared schema ({@link SparkTableSchema#readType}); the partition
     * column comes from the directory names. Every table comes with the grid-cell columns
     * {@code learning_rate} and {@code seed} ({@link CellColumns}): rows written before a table had
     * them, by a run without a grid, take the manifest's train.learning_rate and run.seed.
     * Throws BadInputException when the table is absent.
     */
    public Dataset<Row> read(TableSchema table) {
        return CellColumns.complete(readAsStored(table), this);
    }

    /**
     * The table as its files hold it: the cell columns are null in files from before grids (where
     * {@link #read} fills them from the manifest). For jobs that fill them in later themselves.
     */
    Dataset<Row> readAsStored(TableSchema table) {
        if (!has(table)) {
            throw new BadInputException("Run directory " + dir + " has no table " + table.name() + " (no Parquet files under "
                    + tablePath(table) + "). Check the run finished and recorded this table, or run `analyze` first for metric tables.");
        }
        if (spark == null) {
            throw new IllegalStateException("run directory " + dir + " was opened without a Spark session; it cannot read " + table.name());
        }
        return spark.read().schema(CellColumns.readType(table)).parquet(tablePath(table).toString());
    }

    /** The learning rate the manifest records for a run without a grid (train.learning_rate), if any. */
    public OptionalDouble recordedLearningRate() {
        JsonNode v = recorded("train.learning_rate");
        return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
    }

    /** The seed the manifest records for a run without a grid (run.seed), if any. */
    public OptionalLong recordedSeed() {
        JsonNode v = recorded("run.seed");
        return v.isIntegralNumber() ? OptionalLong.of(v.asLong()) : OptionalLong.empty();
    }

    /** A config value the manifest records, by dotted key (TrainJob records dotted keys; a hand-written manifest may nest them); a missing node when absent. */
    public JsonNode recorded(String dotted) {
        JsonNode flat = config().path(dotted);
        if (!flat.isMissingNode()) {
            return flat;
        }
        JsonNode node = config();
        for (String part : dotted.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
