package bnscope.core.snapshots;

import bnscope.core.grid.GridCell;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.fs.Path;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where snapshot files live in a run directory, staged and committed (docs/exactly-once.md).
 *
 * <pre>
 * RUN/_staging/task-TASKID/TABLE/variant=V/part-CELLTAG-sSPLIT-wWORKER.parquet   one per task attempt
 * RUN/TABLE/variant=V/part-CELLTAG-sSPLIT-wWORKER.parquet                       after the driver's commit
 * RUN/TABLE/variant=V/driver-CELLTAG-tSTEP.parquet                              rows computed on the driver
 * </pre>
 * CELLTAG is the grid cell's place within its variant ({@link GridCell#tag()}, e.g. {@code lr0.1-seed1}).
 * A committed file's name depends only on (table, cell, split, worker), so committing the same
 * split twice (a retried commit, a resumed run) replaces the file instead of adding rows.
 */
public final class SnapshotLayout {
    public static final String STAGING = bnscope.core.run.RunLayout.STAGING;

    private static final Pattern PART = Pattern.compile("part-(.+)-s(\\d{6})-w(\\d{3})\\.parquet");
    private static final Pattern DRIVER = Pattern.compile("driver-(.+)-t(\\d{9})\\.parquet");

    private final Path runDir;

    public SnapshotLayout(Path runDir) {
        this.runDir = runDir;
    }

    public Path runDir() {
        return runDir;
    }

    public Path table(TableSchema table) {
        return new Path(runDir, table.name());
    }

    public Path variantDir(TableSchema table, String variant) {
        return new Path(table(table), "variant=" + variant);
    }

    public static String partFileName(GridCell cell, int split, int worker) {
        return String.format("part-%s-s%06d-w%03d.parquet", cell.tag(), split, worker);
    }

    /** File name for rows of {@code cell} computed on the driver after {@code step} steps (test-set evaluation, theory). */
    public static String driverFileName(GridCell cell, long step) {
        return String.format("driver-%s-t%09d.parquet", cell.tag(), step);
    }

    public Path stagingRoot() {
        return new Path(runDir, STAGING);
    }

    public Path taskStagingDir(long taskAttemptId) {
        return new Path(stagingRoot(), "task-" + taskAttemptId);
    }

    public Path stagedFile(long taskAttemptId, TableSchema table, GridCell cell, int split, int worker) {
        return new Path(new Path(new Path(taskStagingDir(taskAttemptId), table.name()), "variant=" + cell.variant().label()),
                partFileName(cell, split, worker));
    }

    public Path committedFile(TableSchema table, GridCell cell, int split, int worker) {
        return new Path(variantDir(table, cell.variant().label()), partFileName(cell, split, worker));
    }

    public Path driverFile(TableSchema table, GridCell cell, long step) {
        return new Path(variantDir(table, cell.variant().label()), driverFileName(cell, step));
    }

    /** True when the committed file called {@code fileName} (in its variant's directory) holds rows of {@code cell}. */
    public static boolean holdsCell(String fileName, GridCell cell) {
        Matcher part = PART.matcher(fileName);
        if (part.matches()) {
            return part.group(1).equals(cell.tag());
        }
        Matcher driver = DRIVER.matcher(fileName);
        return driver.matches() && driver.group(1).equals(cell.tag());
    }

    /** Parses the split number out of a committed part file name, or -1 for other files. */
    public static int splitOf(String fileName) {
        Matcher m = PART.matcher(fileName);
        return m.matches() ? Integer.parseInt(m.group(2)) : -1;
    }

    /** Parses the step out of a driver file name, or -1 for other files. */
    public static long driverStepOf(String fileName) {
        Matcher m = DRIVER.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }
}
