package bnscope.core.run;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a reader of a run directory should be told about who writes it: a command still holding its
 * lock (the tables may still change), or a manifest left {@code running} by a process that is gone
 * (the tables stop where it died; {@code train --resume} continues). One line, or nothing.
 */
public final class RunActivity {
    private RunActivity() {
    }

    /** The notice for {@code runDir} (empty when nobody writes it and its manifest is not a dead run's). */
    public static Optional<String> notice(Path runDir, Configuration hadoop) {
        try {
            FileSystem fs = runDir.getFileSystem(hadoop);
            Optional<RunLock.State> lock = RunLock.inspect(runDir, hadoop);
            Instant now = Instant.now();
            if (lock.isPresent() && !lock.get().stale(now)) {
                return Optional.of("note: " + runDir + " is still being written by " + lock.get().describe(now)
                        + "; its tables may change and are not final.");
            }
            Optional<Manifest> manifest = ManifestFile.readIfPresent(fs, runDir);
            if (manifest.isEmpty() || !Manifest.RUNNING.equals(manifest.get().status)) {
                return Optional.empty();
            }
            return Optional.of(deadWriter(manifest.get(), runDir, fs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + runDir, e);
        }
    }

    /** The line for a manifest that says running although no live command holds the run's lock. */
    static String deadWriter(Manifest m, Path runDir, FileSystem fs) throws IOException {
        String who = m.writtenBy == null ? "a bnscope version that did not record its process"
                : "pid " + m.writtenBy.pid() + " on " + m.writtenBy.host();
        String when = m.updatedAt != null ? m.updatedAt : m.startedAt;
        return "note: " + runDir + "'s manifest says \"running\", last written by " + who + (when == null ? "" : " at " + when)
                + ", which is no longer running; its tables hold what was committed before it stopped. `train --resume` "
                + "continues from " + resumePoints(m, runDir, fs) + ".";
    }

    /** "step N" per unfinished cell (per variant in a manifest from before grids): the newest checkpoint of each. */
    static String resumePoints(Manifest m, Path runDir, FileSystem fs) throws IOException {
        RunLayout layout = new RunLayout(runDir);
        List<String> parts = new ArrayList<>();
        Map<String, ? extends Manifest.Variant> entries = m.cells.isEmpty() ? m.variants : m.cells;
        for (Map.Entry<String, ? extends Manifest.Variant> v : entries.entrySet()) {
            if (Manifest.COMPLETED.equals(v.getValue().status)) {
                continue;
            }
            List<Long> steps = layout.checkpointSteps(fs, v.getKey());
            parts.add(v.getKey() + " step " + (steps.isEmpty() ? 0 : steps.get(steps.size() - 1)));
        }
        return parts.isEmpty() ? "the cells not yet started" : String.join(", ", parts);
    }
}
