package bnscope.jobs;

import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.snapshots.StagedSnapshotWriter;
import bnscope.core.snapshots.StepKey;
import bnscope.core.surface.SurfaceGrid;
import bnscope.core.surface.SurfacePoint;
import bnscope.core.surface.SurfaceProblem;
import bnscope.core.surface.SurfaceRows;
import bnscope.core.surface.SurfaceSeeds;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;

/**
 * One Spark task of the surface job: evaluates its partition's points and stages their rows under
 * the task attempt's own directory (docs/exactly-once.md); the driver's {@link SnapshotCommitter}
 * commits the attempts Spark reports successful. Returns the number of rows staged.
 *
 * <p>Fault injection for tests: when the job's local property {@link #FAIL_PROPERTY} names this
 * partition (the driver copies it from the system property of the same name), its first attempt
 * stages one row and then throws, so Spark retries it (with a master that allows retries, e.g.
 * {@code local[2,2]}).
 */
final class SurfaceTask implements Function2<Integer, Iterator<SurfacePoint>, Iterator<Long>> {
    private static final long serialVersionUID = 1L;
    /** Local property (set with SparkContext.setLocalProperty) naming a partition whose first attempt fails. */
    static final String FAIL_PROPERTY = "bnscope.surface.fail-first-attempt-of-partition";

    private final Broadcast<SurfaceProblem> problem;
    private final SurfaceGrid grid;
    private final SurfaceSeeds seeds;
    private final String runDir;
    private final StepKey key;

    SurfaceTask(Broadcast<SurfaceProblem> problem, SurfaceGrid grid, SurfaceSeeds seeds, String runDir, StepKey key) {
        this.problem = problem;
        this.grid = grid;
        this.seeds = seeds;
        this.runDir = runDir;
        this.key = key;
    }

    @Override
    public Iterator<Long> call(Integer partition, Iterator<SurfacePoint> points) {
        TaskContext task = TaskContext.get();
        SnapshotLayout layout = new SnapshotLayout(new Path(runDir));
        String file = SnapshotLayout.surfaceFileName(key.cell(), key.step(), partition);
        try (StagedSnapshotWriter writer = new StagedSnapshotWriter(layout, task.taskAttemptId(), key.variant(), file, new Configuration())) {
            SnapshotSink sink = failing(task, partition) ? new FailAfterOneRow(writer) : writer;
            long rows = new SurfaceRows(problem.value(), grid, seeds).write(points, key, sink);
            return List.of(rows).iterator();
        }
    }

    private static boolean failing(TaskContext task, int partition) {
        String target = task.getLocalProperty(FAIL_PROPERTY);
        return target != null && Integer.parseInt(target) == partition && task.attemptNumber() == 0;
    }

    /** Stages one row, then fails the attempt: a task that dies halfway, leaving a partial staged file. */
    private record FailAfterOneRow(StagedSnapshotWriter writer) implements SnapshotSink {
        @Override
        public void write(bnscope.core.tables.TableSchema table, org.apache.avro.generic.GenericRecord row) {
            writer.write(table, row);
            throw new IllegalStateException("injected failure of the first attempt after one staged row (" + FAIL_PROPERTY + ")");
        }
    }
}
