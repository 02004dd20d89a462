package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.run.RunLayout;
import bnscope.core.run.StagedFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.OptionalLong;

/**
 * Model checkpoints of one grid cell: {@code RUN/checkpoints/CELL/step-NNNNNNNNN.zip} (CELL: the cell's id) (names from
 * {@link RunLayout}; DL4J's ModelSerializer format: configuration with its iteration count,
 * parameters, updater state). Each is staged and renamed into place ({@link StagedFiles}); the newest
 * two are kept; {@code --resume} continues from the newest.
 */
public final class Checkpoints {
    private static final int KEEP = 2;

    private final RunLayout layout;
    private final String cell;
    private final Configuration hadoop;

    public Checkpoints(Path runDir, String cell, Configuration hadoop) {
        this.layout = new RunLayout(runDir);
        this.cell = cell;
        this.hadoop = hadoop;
    }

    public void save(MultiLayerNetwork net, long step) {
        Path dir = directory();
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            StagedFiles.write(fs, layout.checkpoint(cell, step), out -> ModelSerializer.writeModel(net, out, true));
            List<FileStatus> all = layout.checkpointFiles(fs, cell);
            for (int i = 0; i < all.size() - KEEP; i++) {
                fs.delete(all.get(i).getPath(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + dir, e);
        }
    }

    /** The steps of the checkpoints present, oldest first. */
    public List<Long> steps() {
        try {
            return layout.checkpointSteps(directory().getFileSystem(hadoop), cell);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + directory(), e);
        }
    }

    /** The checkpoint directory of the cell. */
    public Path directory() {
        return layout.checkpointDir(cell);
    }

    /** The step of the newest checkpoint, if any. */
    public OptionalLong latestStep() {
        List<Long> steps = steps();
        return steps.isEmpty() ? OptionalLong.empty() : OptionalLong.of(steps.get(steps.size() - 1));
    }

    /** The newest checkpoint's step of cell {@code cellId} in {@code runDir}, or null when it has none or they cannot be listed. */
    public static Long latestStep(Path runDir, String cellId, Configuration hadoop) {
        try {
            OptionalLong s = new Checkpoints(runDir, cellId, hadoop).latestStep();
            return s.isPresent() ? s.getAsLong() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    public MultiLayerNetwork load(long step) {
        Path p = layout.checkpoint(cell, step);
        try (InputStream in = p.getFileSystem(hadoop).open(p)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
    }

    /**
     * The checkpoint of {@code step} for a command that reads it (theory, surface): a damaged file is
     * bad input, one paragraph ending with {@code otherChoice}, e.g. "choose another step with --steps".
     */
    public MultiLayerNetwork read(long step, String otherChoice) {
        try {
            return load(step);
        } catch (RuntimeException e) {
            throw new BadInputException("Cannot read the checkpoint of step " + step + " in " + directory()
                    + " (" + e.getMessage() + "). It is a DL4J ModelSerializer zip written by the training job; if it was "
                    + "damaged, re-run the training or " + otherChoice + ".", e);
        }
    }
}
