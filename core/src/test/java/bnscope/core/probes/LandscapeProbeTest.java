package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LandscapeProbeTest {

    private static ProbeSettings.Landscape grid(int points, double min, double max) {
        return new ProbeSettings.Landscape(true, ProbeSchedule.every(1), points, min, max);
    }

    @Test
    void atEtaEqualLrThePointIsTheSgdStep() {
        MultiLayerNetwork net = ProbeNets.dense(DataType.DOUBLE, 31);
        net.fit(ProbeNets.batch(DataType.DOUBLE, 32, 16, 20));
        DataSet batch = ProbeNets.batch(DataType.DOUBLE, 33, 16, 20);
        MultiLayerNetwork twin = net.clone();
        MemorySnapshotSink sink = new MemorySnapshotSink();
        SnapshotRecorder recorder = new SnapshotRecorder();
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(recorder, new LandscapeProbe(grid(3, 0.5, 2.0))));
        ProbeNets.observedStep(net, observer, batch, sink);
        StepSnapshot s = recorder.snapshots.get(0);

        List<GenericRecord> rows = sink.rows(SnapshotTables.LANDSCAPE);
        assertEquals(3, rows.size());
        assertEquals(List.of(0.5, 1.0, 2.0), rows.stream().map(r -> (double) r.get("eta_over_lr")).toList());
        GenericRecord atLr = rows.get(1);
        assertEquals(ProbeNets.LR, (double) atLr.get("eta"));
        double postLoss = net.score(batch, true);
        assertEquals(postLoss, (double) atLr.get("loss"), 1e-12 * postLoss);
        assertEquals(s.loss(), (double) atLr.get("base_loss"));
        assertNotEquals(postLoss, s.loss(), "the step changed the loss");

        // Independent: g from calculateGradients at w_step, gradient at the post-step params.
        twin.setParams(s.paramsBefore());
        double[] g = flatDoubles(twin.calculateGradients(batch.getFeatures(), batch.getLabels(), null, null).getFirst().gradient());
        twin.setParams(s.paramsAfter());
        double[] gAfter = flatDoubles(twin.calculateGradients(batch.getFeatures(), batch.getLabels(), null, null).getFirst().gradient());
        double gNorm = 0, diff = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] /= 16;
            gAfter[i] /= 16;
            gNorm += g[i] * g[i];
            diff += (gAfter[i] - g[i]) * (gAfter[i] - g[i]);
        }
        assertEquals(Math.sqrt(gNorm), (double) atLr.get("grad_norm"), 1e-12 * Math.sqrt(gNorm));
        assertEquals(Math.sqrt(diff), (double) atLr.get("grad_diff_norm"), 1e-9 * Math.sqrt(diff));
        assertEquals(ProbeNets.LR * Math.sqrt(gNorm), (double) atLr.get("step_norm"), 1e-12 * Math.sqrt(gNorm));
        assertEquals(2 * (double) rows.get(0).get("step_norm"), (double) atLr.get("step_norm"), 1e-15);
    }

    @Test
    void floatNetAtEtaEqualLrGivesExactlyThePostStepLoss() {
        MultiLayerNetwork net = ProbeNets.dense(DataType.FLOAT, 41);
        DataSet batch = ProbeNets.batch(DataType.FLOAT, 43, 16, 20);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none(), List.of(new LandscapeProbe(grid(1, 1.0, 1.0)))), batch, sink);
        assertEquals(net.score(batch, true), (double) sink.rows(SnapshotTables.LANDSCAPE).get(0).get("loss"));
    }

    @Test
    void batchNormRunningStatisticsAreNeitherMovedNorLeftChanged() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 51);
        DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 52, 16, 8);
        MultiLayerNetwork plain = net.clone();
        plain.fit(batch);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none(), List.of(new LandscapeProbe(grid(8, 0.5, 4.0)))), batch, sink);
        assertEquals(plain.params(), net.params());
        for (String stat : List.of("1_mean", "1_var", "5_mean", "5_var")) {
            assertEquals(plain.paramTable().get(stat), net.paramTable().get(stat), stat);
        }
        List<GenericRecord> rows = sink.rows(SnapshotTables.LANDSCAPE);
        assertEquals(8, rows.size());
        assertEquals(0.5 * ProbeNets.LR, (double) rows.get(0).get("eta"), 1e-15);
        assertEquals(4.0 * ProbeNets.LR, (double) rows.get(7).get("eta"), 1e-15);
        for (GenericRecord r : rows) {
            assertTrue(Double.isFinite((double) r.get("loss")) && (double) r.get("grad_diff_norm") > 0);
        }
    }

    private static double[] flatDoubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
