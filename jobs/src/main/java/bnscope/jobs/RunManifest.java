package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.run.Manifest;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.RunLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The manifest of a run a command is writing ({@link Manifest}, stored by {@link ManifestFile}):
 * every change is applied under one lock and written at once, so grid cells trained in parallel never
 * lose each other's entries. Status is {@code running} while training, {@code completed} with
 * complete tables only after the last commit, {@code failed} with the reason and each unfinished
 * cell's resume step when a command fails.
 */
public final class RunManifest {
    /** The file name (defined in {@link RunLayout}). */
    public static final String FILE = RunLayout.MANIFEST;

    private final Path runDir;
    private final Configuration hadoop;
    private final Manifest content;

    private RunManifest(Path runDir, Configuration hadoop, Manifest content) {
        this.runDir = runDir;
        this.hadoop = hadoop;
        this.content = content;
    }

    public static RunManifest create(Path runDir, Configuration hadoop) {
        return new RunManifest(runDir, hadoop, new Manifest());
    }

    /** Reads an existing manifest; BadInputException when it is missing or unreadable. */
    public static RunManifest read(Path runDir, Configuration hadoop) {
        return new RunManifest(runDir, hadoop, ManifestFile.read(fs(runDir, hadoop), runDir));
    }

    public static boolean exists(Path runDir, Configuration hadoop) {
        return ManifestFile.exists(fs(runDir, hadoop), runDir);
    }

    private static FileSystem fs(Path runDir, Configuration hadoop) {
        try {
            return runDir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new BadInputException("Cannot use run directory " + runDir + ": " + e.getMessage()
                    + ". Check the path and, for hdfs: or s3a: paths, the file system settings.", e);
        }
    }

    public Path file() {
        return new RunLayout(runDir).manifest();
    }

    /** Reads something from the manifest (under the lock). */
    public synchronized <T> T get(Function<Manifest, T> field) {
        return field.apply(content);
    }

    /** A copy of the whole record. */
    public synchronized Manifest snapshot() {
        return ManifestFile.copy(content);
    }

    /** Applies {@code change} and writes the manifest (safe from several threads). */
    public synchronized void update(Consumer<Manifest> change) {
        change.accept(content);
        write();
    }

    /** Applies {@code change} to the entry of the grid cell with id {@code id} and writes the manifest. */
    public synchronized void updateCell(String id, Consumer<Manifest.Cell> change) {
        change.accept(content.cell(id));
        write();
    }

    /** The status of one grid cell's entry (null when it has none). */
    public synchronized String cellStatus(String id) {
        Manifest.Cell c = content.cells.get(id);
        return c == null ? null : c.status;
    }

    /**
     * One section as a raw map (e.g. "variants").
     *
     * @deprecated for the benchmark code until it reads {@link #get} typed fields; the map is a copy.
     */
    @Deprecated
    public synchronized Map<String, Object> section(String key) {
        Object value = ManifestFile.asMap(content).get(key);
        return ManifestFile.asMap(value == null ? Map.of() : value);
    }

    public synchronized String status() {
        return content.status;
    }

    public synchronized void markRunning() {
        update(m -> {
            m.status = Manifest.RUNNING;
            m.failure = null;
            m.finishedAt = null;
            m.tables = new Manifest.Tables(false);
        });
    }

    public synchronized void markCompleted() {
        update(m -> {
            m.status = Manifest.COMPLETED;
            m.finishedAt = Instant.now().toString();
            m.tables = new Manifest.Tables(true);
        });
    }

    /**
     * Records that the command failed with {@code error}: status failed, the reason, and for each
     * started, unfinished cell of {@code cells} (ids) the step --resume continues from ({@code resumeStep});
     * cells that never started stay pending.
     * Returns a {@link RecordedFailure} to throw; when the manifest itself cannot be written, returns
     * the error unchanged (wrapped when checked), so nobody claims a record that does not exist.
     */
    public synchronized RuntimeException recordFailure(Throwable error, List<String> cells, Function<String, Long> resumeStep) {
        try {
            content.status = Manifest.FAILED;
            String message = String.valueOf(error.getMessage()).strip();
            // the first line: Spark appends pages of creation-site detail to some messages
            content.failure = error.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
            content.finishedAt = Instant.now().toString();
            content.tables = new Manifest.Tables(false);
            for (String id : cells) {
                Manifest.Cell entry = content.cells.get(id);
                if (entry != null && entry.status != null && !Manifest.COMPLETED.equals(entry.status)
                        && !Manifest.PENDING.equals(entry.status)) {
                    entry.status = Manifest.FAILED;
                    entry.resumeStep = resumeStep.apply(id);
                }
            }
            write();
            return new RecordedFailure(file().toString(), error);
        } catch (RuntimeException writeFailed) {
            error.addSuppressed(writeFailed);
            return error instanceof RuntimeException r ? r : new IllegalStateException(error.getMessage(), error);
        }
    }

    /** Writes the manifest (staged, then renamed). */
    public synchronized void write() {
        try {
            ManifestFile.write(runDir.getFileSystem(hadoop), runDir, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }
}
