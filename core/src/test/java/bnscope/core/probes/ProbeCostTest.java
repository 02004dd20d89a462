package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Measures (prints, does not assert) what one full ICS probe, one landscape probe and one
 * activation probe cost in units of one training step, on vgg-mini at batch 128.
 */
class ProbeCostTest {

    /** Wraps a probe and times its record calls. */
    private static final class Timed implements Probe {
        final Probe inner;
        long nanos;

        Timed(Probe inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public List<TableSchema> tables() {
            return inner.tables();
        }

        @Override
        public boolean due(long step) {
            return inner.due(step);
        }

        @Override
        public void record(StepSnapshot s, SnapshotSink sink) {
            long t0 = System.nanoTime();
            inner.record(s, sink);
            nanos += System.nanoTime() - t0;
        }
    }

    @Test
    void costOfOneProbeInTrainingSteps() {
        MultiLayerNetwork net = ProbeNets.vggMini(DataType.FLOAT, 1);
        ProbeSchedule once = new ProbeSchedule(0, List.of(3L));
        Timed ics = new Timed(new GradientShiftProbe(new ProbeSettings.Ics(true, once, List.of(), false, 4096)));
        Timed landscape = new Timed(new LandscapeProbe(new ProbeSettings.Landscape(true, once, 8, 0.5, 4.0)));
        Timed activations = new Timed(new ActivationProbe(new ProbeSettings.Activations(true, once, List.of(), List.of(0, 1, 2, 3), 256)));
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(ics, landscape, activations));
        MemorySnapshotSink sink = new MemorySnapshotSink();

        // step 0 warms up; steps 1, 2, 4, 5 run without probes and give the unit; step 3 runs all three probes
        List<Long> plain = new java.util.ArrayList<>();
        for (int step = 0; step < 6; step++) {
            DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 200 + step, 128, 32);
            long t0 = System.nanoTime();
            ProbeNets.observedStep(net, observer, batch, sink);
            if (step != 0 && step != 3) {
                plain.add(System.nanoTime() - t0);
            }
        }
        plain.sort(null);
        double step = (plain.get(1) + plain.get(2)) / 2.0;
        WeightLayers layers = WeightLayers.of(net);
        System.out.printf("probe cost on vgg-mini (%d weight layers, %d params), batch 128: training step %.3f s; "
                        + "ICS (all layers) %.2f steps (%.2f s); landscape (8 points) %.2f steps (%.2f s); activations %.2f steps (%.2f s)%n",
                layers.count(), layers.numParams(), step / 1e9, ics.nanos / step, ics.nanos / 1e9,
                landscape.nanos / step, landscape.nanos / 1e9, activations.nanos / step, activations.nanos / 1e9);
        assertEquals(8 + 2 * 7, sink.rows(SnapshotTables.ICS).size());
        assertEquals(8, sink.rows(SnapshotTables.LANDSCAPE).size());
    }
}
