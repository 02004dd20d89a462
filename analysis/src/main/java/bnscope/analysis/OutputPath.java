package bnscope.analysis;

import bnscope.core.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * A result location the user named ({@code sql --out}, the shell's {@code \out}): checked before any Spark work (the folder
 * exists and accepts a new file, the target is not a folder for CSV nor a file for Parquet), and
 * cleaned up when the work fails, so no half-written result is left looking like a finished one.
 */
public final class OutputPath {
    private final String given;
    private final Path target;
    private final FileSystem fs;
    private final boolean existed;
    private final Set<String> siblingsBefore;

    private OutputPath(String given, Path target, FileSystem fs, boolean existed, Set<String> siblingsBefore) {
        this.given = given;
        this.target = target;
        this.fs = fs;
        this.existed = existed;
        this.siblingsBefore = siblingsBefore;
    }

    /** Throws BadInputException unless {@code out} (ending .csv: one file, .parquet: a folder) can be written. */
    public static OutputPath check(String out) {
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(new Configuration());
            target = fs.makeQualified(target);
            Path parent = target.getParent();
            if (parent == null || !fs.exists(parent) || !fs.getFileStatus(parent).isDirectory()) {
                throw bad(out, "its folder " + parent + " does not exist (or is not a folder)", "Create the folder or choose another path");
            }
            boolean parquet = out.endsWith(".parquet");
            boolean existed = fs.exists(target);
            if (existed && fs.getFileStatus(target).isDirectory() != parquet) {
                throw bad(out, parquet ? "it is an existing file, and Parquet output is a folder"
                        : "it is an existing folder, and CSV output is one file", "Remove it or choose another path");
            }
            Path probe = new Path(parent, ".bnscope-write-check-" + UUID.randomUUID());
            try {
                fs.create(probe, false).close();
                fs.delete(probe, false);
            } catch (IOException e) {
                throw bad(out, "no file can be created in " + parent + " (" + e.getMessage() + ")",
                        "Choose a writable folder (e.g. under the run directory or /tmp)");
            }
            return new OutputPath(out, target, fs, existed, names(fs, parent));
        } catch (IOException e) {
            throw bad(out, "it cannot be inspected (" + e.getMessage() + ")", "Check the path and the file system settings");
        }
    }

    private static BadInputException bad(String out, String why, String todo) {
        return new BadInputException("The output " + out + " cannot be written: " + why + ". " + todo
                + "; nothing was run or written.");
    }

    private static Set<String> names(FileSystem fs, Path folder) throws IOException {
        Set<String> names = new HashSet<>();
        for (FileStatus f : fs.listStatus(folder)) {
            names.add(f.getPath().getName());
        }
        return names;
    }

    /**
     * Runs the work that writes the output; when it fails, removes what it created (the target if it
     * is new, any new entry beside it named after it, such as a staging folder) and an overwritten
     * Parquet folder that Spark did not finish (no _SUCCESS marker); an untouched earlier result stays.
     */
    public <T> T writeOrRemove(Callable<T> work) throws Exception {
        try {
            return work.call();
        } catch (Exception | Error e) {
            try {
                for (FileStatus f : fs.listStatus(target.getParent())) {
                    String name = f.getPath().getName();
                    if (!siblingsBefore.contains(name) && name.contains(target.getName())) {
                        fs.delete(f.getPath(), true);
                    }
                }
                // an overwritten Parquet folder is emptied before Spark writes it: without _SUCCESS it is not a result
                if (existed && fs.exists(target) && fs.getFileStatus(target).isDirectory()
                        && !fs.exists(new Path(target, "_SUCCESS"))) {
                    fs.delete(target, true);
                }
            } catch (IOException cleanup) {
                e.addSuppressed(new IOException("could not remove the partial output " + given, cleanup));
            }
            throw e;
        }
    }
}
