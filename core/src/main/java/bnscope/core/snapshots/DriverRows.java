package bnscope.core.snapshots;

import bnscope.core.grid.GridCell;
import bnscope.core.run.StagedFiles;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Commits rows computed on the driver (test-set evaluation, theory checks) into a snapshot table:
 * written to a staged file, then renamed to {@code TABLE/variant=V/driver-CELLTAG-tSTEP.parquet}, so the file
 * appears whole and writing the same step again replaces it (docs/exactly-once.md).
 */
public final class DriverRows {
    private DriverRows() {
    }

    /** Writes {@code rows} as the driver file of ({@code table}, {@code cell}, {@code step}); returns its path. */
    public static Path commit(SnapshotLayout layout, TableSchema table, GridCell cell, long step, List<GenericRecord> rows,
                              Configuration hadoop) {
        Path target = layout.driverFile(table, cell, step);
        // one staging folder per table and cell: other cells' drivers may be committing beside it at the same time
        Path stagingDir = new Path(new Path(layout.stagingRoot(), "driver-" + table.name()), cell.id());
        Path staged = new Path(stagingDir, target.getName());
        try (ParquetTableWriter w = new ParquetTableWriter(table, staged, hadoop)) {
            rows.forEach(w::write);
        }
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            StagedFiles.moveIntoPlace(fs, staged, target);
            // only this table's and cell's staging folder: executors and other cells may be staging beside it
            fs.delete(stagingDir, true);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit driver rows " + target, e);
        }
    }
}
