package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.grid.GridCell;
import bnscope.core.run.Manifest;
import bnscope.core.run.ManifestFile;
import bnscope.core.run.ProcessIdentity;
import bnscope.core.run.ResumePolicy;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code train --resume} of a grid: which config changes it makes (refused ones are bad input, see
 * {@link ResumePolicy}), and the resume record in the manifest (where each unfinished cell
 * continues). A run directory written before experiment grids is refused: its tables lack the
 * learning_rate and seed columns and its checkpoints are per variant, so no resume could leave
 * tables a grid reader understands.
 */
final class GridResume {
    /** The config key every manifest written since grids records (older ones lack it). */
    static final String GRID_KEY = "train.learning_rates";

    private GridResume() {
    }

    /** The config changes this resume makes; BadInputException for a resume that may not happen. */
    static Map<String, Manifest.Change> changes(Path runDir, RunConfig config, Configuration hadoop) {
        RunManifest recorded = RunManifest.read(runDir, hadoop);
        Map<String, Object> before = recorded.get(m -> m.config);
        if (before == null || before.isEmpty()) {
            throw new BadInputException("The manifest " + recorded.file() + " has no \"config\" section, so --resume cannot "
                    + "check that it continues the same run. Start a new run instead (without --resume).");
        }
        if (!before.containsKey(GRID_KEY)) {
            throw new BadInputException("The run in " + runDir + " was written by a bnscope version from before experiment grids "
                    + "(its manifest " + recorded.file() + " records no " + GRID_KEY + "): its tables have no learning_rate and "
                    + "seed columns and its checkpoints are stored per variant, so --resume cannot continue it. Start a new run "
                    + "(without --resume, e.g. --set run.name=NAME); the old run's tables stay readable by sql and compare.");
        }
        return ResumePolicy.check(recorded.file().toString(), before, ManifestFile.asRecorded(config.asMap()));
    }

    /** Records the resume: when, by whom, the changed keys and the step each unfinished cell continues from. */
    static void record(RunManifest manifest, Map<String, Manifest.Change> changes, List<GridCell> cells, Path runDir,
                       Configuration hadoop, PrintStream out) {
        Manifest.Resume resume = new Manifest.Resume();
        resume.at = Instant.now().toString();
        resume.by = ProcessIdentity.current();
        resume.changed.putAll(changes);
        for (GridCell cell : cells) {
            boolean done = Manifest.COMPLETED.equals(manifest.cellStatus(cell.id())) && !changes.containsKey(ResumePolicy.STEPS);
            if (!done) {
                Long step = Checkpoints.latestStep(runDir, cell.id(), hadoop);
                resume.fromStep.put(cell.id(), step == null ? 0L : step);
            }
        }
        if (!changes.isEmpty()) {
            out.println("bnscope train: resuming with changed " + changes.keySet() + " (recorded in the manifest's resumes)");
        }
        manifest.update(m -> m.addResume(resume));
    }
}
