package bnscope.jobs;

import bnscope.core.run.StagedFiles;
import bnscope.core.snapshots.SnapshotLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver half of exactly-once snapshot writing (docs/exactly-once.md).
 *
 * <p>Executors write each task attempt's rows under {@code _staging/task-ID/}. This listener hears
 * from Spark which task attempts succeeded; after each averaging split the driver calls
 * {@link #commit()}, which moves the files of succeeded attempts to their final, deterministic names
 * (one per table, variant, split and worker) and deletes what failed, was killed or lost. A retried or
 * speculative attempt therefore never adds rows twice, and a failed one never leaves rows behind.
 */
public final class SnapshotCommitter extends SparkListener {
    private enum Outcome { SUCCEEDED, FAILED }

    private final SnapshotLayout layout;
    private final Configuration hadoop;
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private long committedFiles;
    private long discardedAttempts;

    public SnapshotCommitter(SnapshotLayout layout, Configuration hadoop) {
        this.layout = layout;
        this.hadoop = hadoop;
    }

    /** Registers with Spark and removes staging left by an earlier application (task ids restart per app). */
    public static SnapshotCommitter attach(SparkContext sc, SnapshotLayout layout) {
        SnapshotCommitter committer = new SnapshotCommitter(layout, sc.hadoopConfiguration());
        committer.deleteQuietly(layout.stagingRoot());
        sc.addSparkListener(committer);
        return committer;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        boolean ok = end.taskInfo().successful() && end.reason() == Success$.MODULE$;
        outcomes.merge(end.taskInfo().taskId(), ok ? Outcome.SUCCEEDED : Outcome.FAILED, (a, b) -> b);
    }

    /**
     * Commits every staged attempt whose task Spark reported successful and discards the failed ones.
     * Attempts Spark has not reported on yet are left for the next commit. Call after the Spark job of
     * a split has returned, on the driver.
     */
    public synchronized void commit(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain; cannot tell which task attempts succeeded", e);
        }
        Path root = layout.stagingRoot();
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            if (!fs.exists(root)) {
                return;
            }
            Set<String> committedNow = new HashSet<>();
            for (FileStatus taskDir : fs.listStatus(root)) {
                String name = taskDir.getPath().getName();
                if (!name.startsWith("task-")) {
                    continue;
                }
                long taskId = Long.parseLong(name.substring(5));
                Outcome outcome = outcomes.get(taskId);
                if (outcome == null) {
                    continue;
                }
                if (outcome == Outcome.SUCCEEDED) {
                    commitAttempt(fs, taskDir.getPath(), committedNow);
                } else {
                    discardedAttempts++;
                }
                fs.delete(taskDir.getPath(), true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit staged snapshots under " + root, e);
        }
    }

    private void commitAttempt(FileSystem fs, Path taskDir, Set<String> committedNow) throws IOException {
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(taskDir, true);
        while (files.hasNext()) {
            Path staged = files.next().getPath();
            if (!staged.getName().endsWith(".parquet")) {
                continue;
            }
            // staged: RUN/_staging/task-ID/TABLE/variant=V/part-...parquet
            Path variantDir = staged.getParent();
            Path tableDir = variantDir.getParent();
            Path target = new Path(new Path(new Path(layout.runDir(), tableDir.getName()), variantDir.getName()), staged.getName());
            String key = target.toString();
            if (!committedNow.add(key)) {
                discardedAttempts++; // a second successful (speculative) attempt of the same split and worker
                continue;
            }
            StagedFiles.moveIntoPlace(fs, staged, target);
            committedFiles++;
        }
    }

    /** Removes all staging, e.g. when the run ends: whatever is still staged was never confirmed. */
    public void discardRemaining() {
        deleteQuietly(layout.stagingRoot());
    }

    private void deleteQuietly(Path p) {
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            if (fs.exists(p)) {
                fs.delete(p, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }

    public long committedFiles() {
        return committedFiles;
    }

    public long discardedAttempts() {
        return discardedAttempts;
    }
}
