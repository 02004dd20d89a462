package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.snapshots.ParquetTableWriter;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every row the observer and probes produce is accepted by the Parquet writer and reads back unchanged. */
class ProbeRowsParquetTest {

    @Test
    void probeRowsRoundTripThroughParquet(@TempDir File dir) throws Exception {
        ProbeSchedule each = ProbeSchedule.every(1);
        ProbeSettings all = ProbeSettings.defaults()
                .withIcs(new ProbeSettings.Ics(true, each, List.of(), true, 100))
                .withLandscape(new ProbeSettings.Landscape(true, each, 2, 0.5, 4.0))
                .withActivations(new ProbeSettings.Activations(true, each, List.of(), List.of(0, 1), 16))
                .withLayerNorms(new ProbeSettings.LayerNorms(true, each));
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 91);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeNets.observedStep(net, new StepObserver(all), ProbeNets.imageBatch(DataType.FLOAT, 92, 16, 8), sink);

        for (TableSchema table : List.of(SnapshotTables.METRICS, SnapshotTables.ICS, SnapshotTables.ICS_VECTORS,
                SnapshotTables.LANDSCAPE, SnapshotTables.ACTIVATIONS, SnapshotTables.LAYER_NORMS)) {
            List<GenericRecord> rows = sink.rows(table);
            assertFalse(rows.isEmpty(), table.name());
            Path path = new Path(new File(dir, table.name() + ".parquet").toURI());
            try (ParquetTableWriter writer = new ParquetTableWriter(table, path, new Configuration())) {
                rows.forEach(writer::write);
            }
            List<GenericRecord> back = new ArrayList<>();
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(path, new Configuration())).build()) {
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                    back.add(r);
                }
            }
            assertEquals(rows.size(), back.size(), table.name());
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(rows.get(i).toString(), back.get(i).toString(), table.name() + " row " + i);
            }
        }
    }
}
