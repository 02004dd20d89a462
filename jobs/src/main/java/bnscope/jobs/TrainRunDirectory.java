package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunSettings;
import bnscope.core.run.RunLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The directory a training run writes: which setting names it, whether it may be used as asked
 * (a new run into an empty place, or {@code --resume} of an existing run), and clearing it for an
 * overwritten run. Checks change nothing, so bad input leaves the directory as it was.
 */
final class TrainRunDirectory {
    private final Path path;
    private final String source;
    private final Configuration hadoop;

    private TrainRunDirectory(Path path, String source, Configuration hadoop) {
        this.path = path;
        this.source = source;
        this.hadoop = hadoop;
    }

    /** The run directory the settings (or --run-dir {@code override}) designate, qualified on its file system. */
    static TrainRunDirectory of(RunSettings settings, String override, Configuration hadoop) {
        Path p = TrainJob.runDir(settings, override);
        String source;
        if (override != null && !override.isBlank()) {
            source = "--run-dir " + override;
        } else {
            source = settings.dir().isBlank() ? "run.output_dir=" + settings.outputDir() + " (with run.name=" + settings.name() + ")"
                    : "run.dir=" + settings.dir();
        }
        try {
            return new TrainRunDirectory(p.getFileSystem(hadoop).makeQualified(p), source, hadoop);
        } catch (IOException e) {
            throw new BadInputException("Cannot use run directory " + p + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    /** Which setting named the directory, for messages about it. */
    String source() {
        return source;
    }

    /** Refuses, without changing anything, a run directory that cannot be used as asked. */
    void check(boolean resume, boolean overwrite) {
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            boolean hasRun = RunManifest.exists(path, hadoop);
            if (resume && !hasRun) {
                throw new BadInputException("--resume was given but " + path + " holds no run (no manifest.json). "
                        + "Start it without --resume, or pass the directory of the run to continue with --run-dir.");
            }
            if (!resume && !overwrite && (hasRun || (fs.exists(path) && fs.listStatus(path).length > 0))) {
                throw new BadInputException("Run directory " + path + " already exists and is not empty. Continue it with "
                        + "--resume, replace it with --set run.overwrite=true, or choose another --set run.name=NAME.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect run directory " + path, e);
        }
    }

    /** For a new (possibly overwritten) run: removes everything but the lock this command holds. */
    void prepare(boolean resume) {
        if (resume) {
            return;
        }
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            for (FileStatus f : fs.listStatus(path)) {
                if (!f.getPath().getName().equals(RunLayout.LOCK)) {
                    fs.delete(f.getPath(), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run directory " + path, e);
        }
    }

    boolean exists() {
        try {
            return path.getFileSystem(hadoop).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + path, e);
        }
    }

    /** Removes the directory this command created before it failed on bad input. */
    void deleteQuietly() {
        try {
            path.getFileSystem(hadoop).delete(path, true);
        } catch (IOException e) {
            // left behind: an empty directory, reported by nothing else
        }
    }
}
