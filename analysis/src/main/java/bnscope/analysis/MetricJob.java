package bnscope.analysis;

import bnscope.core.tables.TableSchema;

import java.util.List;

/** One Spark SQL job that derives a metric table ({@link bnscope.core.tables.MetricTables}) from a run's snapshot tables. */
public interface MetricJob {
    /** The metric table this job writes. */
    TableSchema output();

    /** Snapshot tables that must all be present for the job to run. */
    List<TableSchema> requiredInputs();

    /** Computes the table and writes it to RUN_DIR/&lt;table&gt;/ (replacing an earlier result); returns a one-line summary. */
    JobOutcome run(RunDirectory run, AnalyzeOptions options);

    /** What a job reports back: rows written, a summary line, and whether a built-in check failed. */
    record JobOutcome(long rows, String summary, boolean checkFailed) {
    }
}
