package bnscope.jobs;

import bnscope.core.grid.GridCell;
import bnscope.core.probes.ProbeSettings;
import bnscope.core.probes.StepObserver;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StagedSnapshotWriter;
import bnscope.core.snapshots.StepKey;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Adapts the executor-side {@link StepObserver} (metrics row and probes around each local SGD step)
 * to DL4J's Spark {@link TrainingHook}, and gives every task attempt its own staged Parquet sink
 * ({@link StagedSnapshotWriter}), closed when Spark finishes the task. Rows become visible only when
 * the driver's {@link SnapshotCommitter} commits the attempt.
 *
 * <p>The hook is serialized into every split's tasks; all per-task state is transient and created
 * on the executor.
 */
public final class ProbeTrainingHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private final String runId;
    private final GridCell cell;
    private final String runDir;
    private final int averagingFrequency;
    private final StepObserver observer;

    private transient long taskAttemptId = -1;
    private transient StagedSnapshotWriter sink;
    private transient StepKey key;

    public ProbeTrainingHook(String runId, GridCell cell, String runDir, int averagingFrequency, ProbeSettings probes) {
        this.runId = runId;
        this.cell = cell;
        this.runDir = runDir;
        this.averagingFrequency = averagingFrequency;
        this.observer = new StepObserver(probes);
    }

    @Override
    public void preUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        TaskContext task = TaskContext.get();
        int worker = task == null ? 0 : task.partitionId();
        key = StepObserver.keyFor(runId, cell, worker, net.getIterationCount(), averagingFrequency);
        openSinkFor(task, key);
        observer.before(net, (DataSet) minibatch, key);
    }

    @Override
    public void postUpdate(org.nd4j.linalg.dataset.api.DataSet minibatch, Model model) {
        observer.after((MultiLayerNetwork) model, (DataSet) minibatch, sink);
    }

    private void openSinkFor(TaskContext task, StepKey step) {
        long attempt = task == null ? 0 : task.taskAttemptId();
        if (sink != null && attempt == taskAttemptId) {
            return;
        }
        taskAttemptId = attempt;
        StagedSnapshotWriter writer = new StagedSnapshotWriter(new SnapshotLayout(new Path(runDir)), attempt, cell,
                step.split(), step.worker(), new Configuration());
        sink = writer;
        if (task != null) {
            // Closed on success and failure alike; the driver decides which attempts count.
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> writer.close());
        }
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        throw new UnsupportedOperationException("bnscope trains MultiLayerNetworks on DataSets only");
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        throw new UnsupportedOperationException("bnscope trains MultiLayerNetworks on DataSets only");
    }
}
