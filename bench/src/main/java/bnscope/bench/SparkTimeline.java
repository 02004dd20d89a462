package bnscope.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records what Spark did while a benchmark trained: every job (its call site, start and end) and
 * every task (launch, finish, and Spark's own split of the task time into deserialization, run and
 * result serialization). Lets the Spark benchmark say where a split's wall time goes.
 */
public final class SparkTimeline extends SparkListener {
    /** A finished Spark job; {@code name} is the call site of its action, e.g. "count at ...". */
    public record Job(int id, String name, long startMs, long endMs) {
        public long millis() {
            return endMs - startMs;
        }
    }

    /** A finished task attempt of job {@code jobId}; {@code group} is the job group its driver thread set (a grid cell's id), or "". */
    public record Task(int jobId, int partition, long launchMs, long finishMs, long deserializeMs, long runMs,
                       long resultSerializeMs, long gcMs, String group) {
    }

    private final Map<Integer, Long> jobStarts = new ConcurrentHashMap<>();
    private final Map<Integer, String> jobNames = new ConcurrentHashMap<>();
    private final Map<Integer, String> jobGroups = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> stageJobs = new ConcurrentHashMap<>();
    private final List<Job> jobs = new ArrayList<>();
    private final List<Task> tasks = new ArrayList<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        jobStarts.put(start.jobId(), start.time());
        String name = "";
        for (StageInfo s : scala.collection.JavaConverters.seqAsJavaList(start.stageInfos())) {
            stageJobs.put(s.stageId(), start.jobId());
            name = s.name();
        }
        jobNames.put(start.jobId(), name);
        String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        jobGroups.put(start.jobId(), group == null ? "" : group);
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        stageJobs.putIfAbsent(submitted.stageInfo().stageId(), -1);
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        jobs.add(new Job(end.jobId(), jobNames.getOrDefault(end.jobId(), ""), jobStarts.getOrDefault(end.jobId(), end.time()), end.time()));
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        var m = end.taskMetrics();
        int job = stageJobs.getOrDefault(end.stageId(), -1);
        tasks.add(new Task(job, end.taskInfo().index(), end.taskInfo().launchTime(), end.taskInfo().finishTime(),
                m == null ? 0 : m.executorDeserializeTime(), m == null ? 0 : m.executorRunTime(),
                m == null ? 0 : m.resultSerializationTime(), m == null ? 0 : m.jvmGCTime(), jobGroups.getOrDefault(job, "")));
    }

    public synchronized List<Job> jobs() {
        return new ArrayList<>(jobs);
    }

    public synchronized List<Task> tasks() {
        return new ArrayList<>(tasks);
    }
}
