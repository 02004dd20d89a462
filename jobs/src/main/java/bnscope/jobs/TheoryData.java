package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.TrainingData;
import bnscope.core.data.TrainingDataFactory;
import bnscope.core.run.ManifestFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run the theory job checks, as its manifest records it: the resolved config, and the training
 * data reopened from the recorded files and checked against the manifest's record of it, so the
 * checks use the minibatches the run trained on.
 */
final class TheoryData {
    /** Manifest data keys that may legitimately differ when the data is reopened. */
    private static final Set<String> DATA_KEYS_NOT_COMPARED = Set.of("location", "epochs");

    private TheoryData() {
    }

    static RunConfig configOf(RunManifest manifest, Path runDir) {
        Map<String, Object> map = manifest.get(m -> m.config);
        if (map == null || map.isEmpty()) {
            throw new BadInputException("The manifest " + new Path(runDir, RunManifest.FILE) + " has no \"config\" section with "
                    + "the run's resolved configuration. It is written when training starts; re-run the training.");
        }
        try {
            return RunConfig.fromRecorded(map, new Path(runDir, RunManifest.FILE).toString());
        } catch (BadInputException e) {
            throw new BadInputException("The configuration recorded in " + new Path(runDir, RunManifest.FILE)
                    + " is not valid for this bnscope version: " + e.getMessage(), e);
        }
    }

    /**
     * The run's data, reopened from the files the manifest names and checked against the manifest;
     * the plan is extended past the last step if needed (the minibatches of earlier steps do not
     * depend on the number of steps planned).
     */
    static TrainingData reopen(RunConfig config, RunManifest manifest, Path runDir, long maxStep, Configuration hadoop, PrintStream out) {
        Map<String, Object> changes = new LinkedHashMap<>();
        RunSettings recordedSettings = RunSettings.from(config);
        int frequency = recordedSettings.spark().averagingFrequency();
        if (maxStep >= recordedSettings.train().steps()) {
            changes.put("train.steps", Math.toIntExact((maxStep / frequency + 1) * frequency));
        }
        Map<String, Object> recordedData = manifest.get(m -> m.data);
        if (recordedData == null) {
            throw new BadInputException("The manifest " + new Path(runDir, RunManifest.FILE) + " has no \"data\" section "
                    + "recording the training data; the theory job cannot make sure it uses the run's minibatches. Re-run the training.");
        }
        String directory = recordedTrainingDirectory(recordedData, hadoop);
        if (directory != null) {
            changes.put("data.dir", directory);
        }
        RunSettings reopened = changes.isEmpty() ? recordedSettings
                : RunSettings.from(config.with(changes, "the theory job (the run's recorded data directory and a plan up to step " + maxStep + ")"));
        TrainingData data = TrainingDataFactory.open(reopened, runDir.toString(), hadoop, out);
        Map<String, Object> found = ManifestFile.asRecorded(data.describe());
        for (Map.Entry<String, Object> e : recordedData.entrySet()) {
            if (DATA_KEYS_NOT_COMPARED.contains(e.getKey())) {
                continue;
            }
            Object now = found.get(e.getKey());
            if (!e.getValue().equals(now)) {
                throw new BadInputException("The training data found now does not match the run's manifest: data." + e.getKey()
                        + " was " + e.getValue() + " at training time but is " + now + " (data opened from "
                        + reopened.data().dir() + "). The theory checks must use the minibatches the run trained on; "
                        + "restore the original data files at their recorded paths.");
            }
        }
        return data;
    }

    /**
     * The directory of the recorded CIFAR training files, when it still exists (null: use the config's
     * data.dir). A path that cannot be checked is bad input, not a silent fallback to another directory.
     */
    private static String recordedTrainingDirectory(Map<String, Object> data, Configuration hadoop) {
        if (!(data.get("training_files") instanceof List<?> files) || files.isEmpty()
                || !(files.get(0) instanceof Map<?, ?> first) || !(first.get("path") instanceof String path)) {
            return null;
        }
        Path dir = new Path(path).getParent();
        try {
            return dir.getFileSystem(hadoop).exists(dir) ? dir.toString() : null;
        } catch (IOException e) {
            throw new BadInputException("Cannot check the run's recorded training data directory " + dir + " (data."
                    + "training_files in the manifest): " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + ". The theory checks must read the minibatches the run trained on; make that file system reachable "
                    + "(for hdfs: or s3a: paths, its settings), or restore the files there.", e);
        }
    }
}
