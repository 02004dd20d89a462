package bnscope.core.snapshots;

import bnscope.core.grid.GridCell;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecordBuilder;

import java.io.Serializable;

/**
 * Identifies one local SGD step of one worker in one grid cell: the columns every snapshot row
 * starts with ({@link SnapshotTables#STEP_KEY}: the cell's learning rate and seed among them), plus
 * the cell's variant, which is the table partition.
 */
public record StepKey(String runId, GridCell cell, int worker, int split, int localStep, long step)
        implements Serializable {

    /** The key of rows computed on the driver (e.g. test-set evaluation) of {@code cell} after {@code step} steps. */
    public static StepKey driver(String runId, GridCell cell, long step) {
        return new StepKey(runId, cell, -1, -1, -1, step);
    }

    /** The variant's label: the value of the partition column. */
    public String variant() {
        return cell.variant().label();
    }

    /** Starts a row of {@code table}'s Avro schema with the key columns filled in. */
    public GenericRecordBuilder startRow(bnscope.core.tables.TableSchema table) {
        return new GenericRecordBuilder(table.avroSchema())
                .set("run_id", runId)
                .set("learning_rate", cell.learningRate())
                .set("seed", cell.seed())
                .set("worker", worker)
                .set("split", split)
                .set("local_step", localStep)
                .set("step", step);
    }
}
