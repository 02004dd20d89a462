package bnscope.core.run;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * Staged write, then rename into place: the one way bnscope makes a file appear whole or not at all
 * (manifest, checkpoints, driver rows, committed snapshot files; docs/exactly-once.md). Hadoop's
 * {@code FileSystem.rename} reports many failures by returning false instead of throwing (HDFS does
 * for a missing parent or an existing target); every rename here checks it, so a failed rename is an
 * error, never a silently lost file.
 */
public final class StagedFiles {
    private StagedFiles() {
    }

    /** Writes the content of a file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FSDataOutputStream out) throws IOException;
    }

    /** Writes {@code content} to a hidden temporary file beside {@code target}, then renames it to {@code target}. */
    public static void write(FileSystem fs, Path target, Content content) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        fs.mkdirs(target.getParent());
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            content.writeTo(out);
        }
        moveIntoPlace(fs, tmp, target);
    }

    /**
     * Renames {@code staged} to {@code target}, replacing an existing target (Hadoop's rename does not
     * overwrite). Throws when the rename reports failure.
     */
    public static void moveIntoPlace(FileSystem fs, Path staged, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target + ": deleting the old file failed");
        }
        if (!fs.rename(staged, target)) {
            throw new IOException("rename " + staged + " -> " + target + " failed (the file system returned false); "
                    + "the new file is still at " + staged);
        }
    }
}
