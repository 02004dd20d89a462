package bnscope.core.snapshots;

import bnscope.core.tables.TableSchema;
import org.apache.hadoop.fs.Path;

/**
 * Where snapshot files live in a run directory, staged and committed (docs/exactly-once.md).
 *
 * <pre>
 * RUN/_staging/task-TASKID/TABLE/variant=V/part-sSPLIT-wWORKER.parquet   one per task attempt
 * RUN/TABLE/variant=V/part-sSPLIT-wWORKER.parquet                       after the driver's commit
 * </pre>
 * A committed file's name depends only on (table, variant, split, worker), so committing the same
 * split twice (a retried commit, a resumed run) replaces the file instead of adding rows.
 */
public final class SnapshotLayout {
    public static final String STAGING = bnscope.core.run.RunLayout.STAGING;

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

    public static String partFileName(int split, int worker) {
        return String.format("part-s%06d-w%03d.parquet", split, worker);
    }

    /** File name for rows computed on the driver after {@code step} steps (test-set evaluation). */
    public static String driverFileName(long step) {
        return String.format("driver-t%09d.parquet", step);
    }

    /**
     * File name of the {@code surface} rows one task of the surface job writes for the checkpoint of
     * {@code step} (docs/surface.md): one name per (step, task partition), never a part- or driver- name,
     * so resumed training leaves surfaces alone.
     */
    public static String surfaceFileName(long step, int partition) {
        return String.format("surface-t%09d-p%04d.parquet", step, partition);
    }

    /** The prefix every surface file of {@code step} starts with. */
    public static String surfaceFilePrefix(long step) {
        return String.format("surface-t%09d-", step);
    }

    public Path stagingRoot() {
        return new Path(runDir, STAGING);
    }

    public Path taskStagingDir(long taskAttemptId) {
        return new Path(stagingRoot(), "task-" + taskAttemptId);
    }

    public Path stagedFile(long taskAttemptId, TableSchema table, String variant, int split, int worker) {
        return stagedFile(taskAttemptId, table, variant, partFileName(split, worker));
    }

    /** A staged file of the attempt under an explicit final name (the committer keeps the name). */
    public Path stagedFile(long taskAttemptId, TableSchema table, String variant, String fileName) {
        return new Path(new Path(new Path(taskStagingDir(taskAttemptId), table.name()), "variant=" + variant), fileName);
    }

    public Path committedFile(TableSchema table, String variant, int split, int worker) {
        return new Path(variantDir(table, variant), partFileName(split, worker));
    }

    /** Parses the split number out of a committed part file name, or -1 for other files. */
    public static int splitOf(String fileName) {
        if (!fileName.startsWith("part-s") || fileName.length() < 12) {
            return -1;
        }
        try {
            return Integer.parseInt(fileName.substring(6, 12));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Parses the step out of a driver file name, or -1 for other files. */
    public static long driverStepOf(String fileName) {
        if (!fileName.startsWith("driver-t") || fileName.length() < 17) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(8, 17));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
