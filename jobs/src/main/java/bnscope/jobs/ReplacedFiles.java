package bnscope.jobs;

import bnscope.core.run.StagedFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Committed table files that a re-run is about to replace (a surface recomputed for the same cell
 * and step, perhaps with another grid), moved aside instead of deleted: when the new rows commit,
 * {@link #discard()} deletes the old ones; when the job fails, {@link #restore()} removes whatever
 * the failed job committed under the same prefix and moves the old files back, so the table never
 * ends up with neither. A backup left by a killed driver is restored first when the next run starts.
 */
final class ReplacedFiles {
    /** Beside the tables, under the run directory; a leading underscore keeps it out of every table scan. */
    static final String BACKUP_ROOT = "_replaced";

    private final FileSystem fs;
    private final Path dir;
    private final String prefix;
    private final Path backup;

    private ReplacedFiles(FileSystem fs, Path dir, String prefix, Path backup) {
        this.fs = fs;
        this.dir = dir;
        this.prefix = prefix;
        this.backup = backup;
    }

    /**
     * Moves the files of {@code dir} whose names start with {@code prefix} aside, under
     * {@code runDir/_replaced/<table dir name>/<prefix>}; restores an earlier, interrupted backup first.
     */
    static ReplacedFiles moveAside(Path runDir, Path dir, String prefix, Configuration hadoop) {
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            Path backup = new Path(new Path(new Path(runDir, BACKUP_ROOT), dir.getParent().getName() + "-" + dir.getName()), prefix);
            ReplacedFiles files = new ReplacedFiles(fs, dir, prefix, backup);
            if (fs.exists(backup)) {
                files.restore(); // a previous run was killed between moving aside and committing
            }
            for (FileStatus f : files.committed()) {
                StagedFiles.moveIntoPlace(fs, f.getPath(), new Path(backup, f.getPath().getName()));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the earlier files " + prefix + "* of " + dir + " aside", e);
        }
    }

    /** The new rows committed: the old files go. */
    void discard() {
        try {
            fs.delete(backup, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the replaced files in " + backup, e);
        }
    }

    /** The new rows did not commit: anything committed under the prefix goes, the old files come back. */
    void restore() {
        try {
            for (FileStatus f : committed()) {
                fs.delete(f.getPath(), false);
            }
            if (fs.exists(backup)) {
                for (FileStatus f : fs.listStatus(backup)) {
                    StagedFiles.moveIntoPlace(fs, f.getPath(), new Path(dir, f.getPath().getName()));
                }
                fs.delete(backup, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the earlier files " + prefix + "* of " + dir + " from " + backup, e);
        }
    }

    /** The files of the table folder under the prefix (none when the folder does not exist). */
    private FileStatus[] committed() throws IOException {
        return fs.exists(dir) ? fs.listStatus(dir, p -> p.getName().startsWith(prefix)) : new FileStatus[0];
    }
}
