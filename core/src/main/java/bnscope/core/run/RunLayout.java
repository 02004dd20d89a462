package bnscope.core.run;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The names inside a run directory, defined once (docs/run-directory.md):
 *
 * <pre>
 * RUN/manifest.json                          what was run and how it ended ({@link ManifestFile})
 * RUN/_lock                                  the writer's lock while a command writes ({@link RunLock})
 * RUN/_staging/                              task attempts' rows before the driver commits them
 * RUN/checkpoints/CELL/step-NNNNNNNNN.zip    DL4J model checkpoints of each grid cell (its id, e.g. batchnorm-lr0.1-seed1)
 * RUN/report/                                the HTML report
 * RUN/TABLE/variant=V/...parquet             snapshot and metric tables (file names carry the cell, see SnapshotLayout)
 * </pre>
 * Names starting with {@code _} or {@code .} are skipped by Spark when it lists a table, and none of
 * these is a table name.
 */
public final class RunLayout {
    public static final String MANIFEST = "manifest.json";
    public static final String LOCK = "_lock";
    public static final String STAGING = "_staging";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String REPORT = "report";
    private static final String CHECKPOINT_PREFIX = "step-";
    private static final String CHECKPOINT_SUFFIX = ".zip";

    private final Path runDir;

    public RunLayout(Path runDir) {
        this.runDir = runDir;
    }

    public Path runDir() {
        return runDir;
    }

    public Path manifest() {
        return new Path(runDir, MANIFEST);
    }

    public Path lock() {
        return new Path(runDir, LOCK);
    }

    public Path staging() {
        return new Path(runDir, STAGING);
    }

    public Path report() {
        return new Path(runDir, REPORT);
    }

    public Path checkpoints() {
        return new Path(runDir, CHECKPOINTS);
    }

    public Path checkpointDir(String cell) {
        return new Path(checkpoints(), cell);
    }

    public Path checkpoint(String cell, long step) {
        return new Path(checkpointDir(cell), checkpointName(step));
    }

    public static String checkpointName(long step) {
        return String.format("%s%09d%s", CHECKPOINT_PREFIX, step, CHECKPOINT_SUFFIX);
    }

    /** The checkpoint files of {@code cell}, oldest first (none when the folder is absent). */
    public List<FileStatus> checkpointFiles(FileSystem fs, String cell) throws IOException {
        Path dir = checkpointDir(cell);
        if (!fs.exists(dir)) {
            return List.of();
        }
        FileStatus[] files = fs.listStatus(dir, p -> stepOfCheckpoint(p.getName()) >= 0);
        Arrays.sort(files, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        return Arrays.asList(files);
    }

    /** The steps of {@code cell}'s checkpoints (a grid cell id), oldest first. */
    public List<Long> checkpointSteps(FileSystem fs, String cell) throws IOException {
        List<Long> steps = new ArrayList<>();
        for (FileStatus f : checkpointFiles(fs, cell)) {
            steps.add(stepOfCheckpoint(f.getPath().getName()));
        }
        return steps;
    }

    /** The step in a checkpoint file name, or -1 for any other name. */
    public static long stepOfCheckpoint(String name) {
        if (!name.startsWith(CHECKPOINT_PREFIX) || !name.endsWith(CHECKPOINT_SUFFIX)
                || name.length() != CHECKPOINT_PREFIX.length() + 9 + CHECKPOINT_SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(CHECKPOINT_PREFIX.length(), CHECKPOINT_PREFIX.length() + 9));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
