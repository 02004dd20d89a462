package bnscope.core.snapshots;

import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecordBuilder;

import java.io.Serializable;

/**
 * Identifies one local SGD step of one worker: the columns every snapshot row starts with
 * ({@link SnapshotTables#STEP_KEY}), plus the variant, which is the table partition.
 */
public record StepKey(String runId, String variant, int worker, int split, int localStep, long step)
        implements Serializable {

    /** The key of rows computed on the driver (e.g. test-set evaluation) after {@code step} steps. */
    public static StepKey driver(String runId, String variant, long step) {
        return new StepKey(runId, variant, -1, -1, -1, step);
    }

    /** Starts a row of {@code table}'s Avro schema with the key columns filled in. */
    public GenericRecordBuilder startRow(bnscope.core.tables.TableSchema table) {
        return new GenericRecordBuilder(table.avroSchema())
                .set("run_id", runId)
                .set("worker", worker)
                .set("split", split)
                .set("local_step", localStep)
                .set("step", step);
    }
}
