package bnscope.jobs;

import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads a finished run's snapshot tables back with Spark SQL and lists every way they break the
 * exactly-once protocol (docs/exactly-once.md). Generic over {@link SnapshotTables#all()}: a table is
 * checked as soon as a run writes it, by its own {@link TableSchema#keyColumns()}.
 */
final class ExactlyOnceCheck {
    private final SparkSession spark;
    private final Path runDir;
    private final int steps;
    private final int workers;
    private final int averagingFrequency;
    private final int evalEvery;
    /** The grid cells expected in the run (ids); null: whichever cells the metrics table holds. */
    private final List<String> expectedCells;
    private List<String> cells;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> rowCounts = new LinkedHashMap<>();
    private boolean trainMetrics;

    /** What was checked and what was wrong. */
    record Result(List<String> violations, Map<String, Long> rowCounts, boolean trainMetricsPresent) {
    }

    private ExactlyOnceCheck(SparkSession spark, Path runDir, int steps, int workers, int averagingFrequency, int evalEvery,
                             List<GridCell> expectedCells) {
        this.expectedCells = expectedCells == null ? null : expectedCells.stream().map(GridCell::id).sorted().toList();
        this.spark = spark;
        this.runDir = runDir;
        this.steps = steps;
        this.workers = workers;
        this.averagingFrequency = averagingFrequency;
        this.evalEvery = evalEvery;
    }

    /** Checks the run in {@code runDir}, every cell trained for {@code steps} steps on {@code workers} workers. */
    static Result check(SparkSession spark, Path runDir, int steps, int workers, int averagingFrequency, int evalEvery) {
        return new ExactlyOnceCheck(spark, runDir, steps, workers, averagingFrequency, evalEvery, null).run();
    }

    /** As above, for a grid that must hold exactly the cells {@code cells}. */
    static Result check(SparkSession spark, Path runDir, int steps, int workers, int averagingFrequency, int evalEvery,
                        List<GridCell> cells) {
        return new ExactlyOnceCheck(spark, runDir, steps, workers, averagingFrequency, evalEvery, cells).run();
    }

    /** The cells of the run: the expected ones, or those the metrics table holds (a mismatch is a violation, reported once). */
    private List<String> cells(Dataset<Row> metrics) {
        if (cells != null) {
            return cells;
        }
        List<String> seen = metrics.select(col("variant"), col("learning_rate"), col("seed")).distinct().collectAsList().stream()
                .map(r -> new GridCell(Variant.fromName(r.getString(0)), r.getDouble(1), r.getLong(2)).id()).sorted().toList();
        if (expectedCells != null && !seen.equals(expectedCells)) {
            violations.add("metrics: rows of cells " + seen + ", expected " + expectedCells);
        }
        cells = expectedCells != null ? expectedCells : seen;
        return cells;
    }

    private Result run() {
        if (Files.exists(runDir.resolve(SnapshotLayout.STAGING))) {
            violations.add(SnapshotLayout.STAGING + "/ is still there after the run ended: some attempt was neither committed nor discarded");
        }
        for (TableSchema table : SnapshotTables.all()) {
            Path dir = runDir.resolve(table.name());
            if (Files.isDirectory(dir)) {
                checkTable(table, spark.read().parquet(dir.toString()));
            }
        }
        if (!rowCounts.containsKey(SnapshotTables.METRICS.name())) {
            violations.add("no metrics table in " + runDir);
        } else {
            checkTestMetrics();
            trainMetrics = checkTrainMetricsComplete();
        }
        return new Result(List.copyOf(violations), Map.copyOf(rowCounts), trainMetrics);
    }

    private void checkTable(TableSchema table, Dataset<Row> rows) {
        String name = table.name();
        rowCounts.put(name, rows.count());
        Column[] keys = table.keyColumns().stream().map(c -> col(c)).toArray(Column[]::new);
        List<Row> repeated = rows.groupBy(keys).count().where(col("count").notEqual(lit(1L))).limit(5).collectAsList();
        if (!repeated.isEmpty()) {
            violations.add(name + ": keys " + table.keyColumns() + " not unique, e.g. " + repeated);
        }
        Dataset<Row> workerRows = rows.where(col("worker").geq(0));
        Set<Integer> seenWorkers = new TreeSet<>(workerRows.select("worker").distinct().as(Encoders.INT()).collectAsList());
        if (!seenWorkers.isEmpty() && !seenWorkers.equals(allWorkers())) {
            violations.add(name + ": rows from workers " + seenWorkers + ", expected " + allWorkers());
        }
        long outOfRange = workerRows.where(col("step").lt(0).or(col("step").geq(steps))
                .or(col("step").notEqual(col("split").multiply(averagingFrequency).plus(col("local_step"))))).count();
        if (outOfRange > 0) {
            violations.add(name + ": " + outOfRange + " rows whose step is outside 0.." + (steps - 1) + " or not split*F+local_step");
        }
        // A committed file's name says which cell, split and worker it holds: part-CELLTAG-sSPLIT-wWORKER.parquet.
        List<Row> misplaced = workerRows.select(col("split"), col("worker"), col("variant"), col("learning_rate"), col("seed"),
                        input_file_name().as("file")).distinct().collectAsList()
                .stream().filter(r -> !r.getString(5).endsWith("/" + SnapshotLayout.partFileName(
                        new GridCell(Variant.fromName(r.getString(2)), r.getDouble(3), r.getLong(4)), r.getInt(0), r.getInt(1))))
                .limit(5).toList();
        if (!misplaced.isEmpty()) {
            violations.add(name + ": rows in a file not named after their split and worker, e.g. " + misplaced);
        }
    }

    /** Every (worker, step) of the run has exactly one {@code kind='train'} metrics row; false when there are none at all. */
    private boolean checkTrainMetricsComplete() {
        Path dir = runDir.resolve(SnapshotTables.METRICS.name());
        Dataset<Row> train = spark.read().parquet(dir.toString()).where(col("kind").equalTo("train"));
        if (train.isEmpty()) {
            return false;
        }
        List<String> cells = cells(spark.read().parquet(dir.toString()));
        Set<String> expected = new TreeSet<>();
        for (String cell : cells) {
            for (int w = 0; w < workers; w++) {
                for (long s = 0; s < steps; s++) {
                    expected.add(key(cells, cell, w + "@" + s));
                }
            }
        }
        List<String> seen = train.select(col("variant"), col("learning_rate"), col("seed"), col("worker"), col("step")).collectAsList()
                .stream().map(r -> key(cells, new GridCell(Variant.fromName(r.getString(0)), r.getDouble(1), r.getLong(2)).id(),
                        r.getInt(3) + "@" + r.getLong(4))).toList();
        Set<String> missing = new TreeSet<>(expected);
        seen.forEach(missing::remove);
        if (!missing.isEmpty()) {
            violations.add("metrics: no train row for (" + (cells.size() > 1 ? "cell " : "") + "worker@step) " + first(missing));
        }
        if (seen.size() != expected.size()) {
            violations.add("metrics: " + seen.size() + " train rows, expected " + expected.size() + " (" + (cells.size() > 1
                    ? cells.size() + " cells x " : "") + workers + " workers x " + steps + " steps)");
        }
        return true;
    }

    /** The test-set rows: exactly one per evaluation step (every {@code evalEvery} steps and at the end), from the driver. */
    private void checkTestMetrics() {
        Set<Long> expected = new TreeSet<>();
        for (long s = evalEvery; s <= steps; s += evalEvery) {
            expected.add(s);
        }
        expected.add((long) steps);
        Dataset<Row> test = spark.read().parquet(runDir.resolve(SnapshotTables.METRICS.name()).toString()).where(col("kind").equalTo("test"));
        List<Row> rows = test.select(col("worker"), col("step"), col("variant"), col("learning_rate"), col("seed")).collectAsList();
        List<String> cells = cells(spark.read().parquet(runDir.resolve(SnapshotTables.METRICS.name()).toString()));
        for (String cell : cells) {
            List<Long> seenSteps = rows.stream()
                    .filter(r -> new GridCell(Variant.fromName(r.getString(2)), r.getDouble(3), r.getLong(4)).id().equals(cell))
                    .map(r -> r.getLong(1)).sorted().toList();
            if (!seenSteps.equals(new ArrayList<>(expected))) {
                violations.add("metrics: test rows " + (cells.size() > 1 ? "of " + cell + " " : "") + "at steps " + seenSteps
                        + ", expected exactly one at each of " + expected);
            }
        }
        if (rows.stream().anyMatch(r -> r.getInt(0) != -1)) {
            violations.add("metrics: a test row not marked as computed on the driver (worker -1)");
        }
    }

    /** "worker@step", prefixed with the cell in a grid of several. */
    private static String key(List<String> cells, String cell, String workerStep) {
        return cells.size() > 1 ? cell + ":" + workerStep : workerStep;
    }

    private Set<Integer> allWorkers() {
        Set<Integer> all = new TreeSet<>();
        for (int w = 0; w < workers; w++) {
            all.add(w);
        }
        return all;
    }

    private static String first(Set<String> s) {
        return s.size() <= 10 ? s.toString() : new ArrayList<>(s).subList(0, 10) + " and " + (s.size() - 10) + " more";
    }
}
