package bnscope.core.probes;

import bnscope.core.models.Implementation;
import bnscope.core.models.Variant;
import bnscope.core.models.VggBuilder;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Probes never change training on a {@code model.implementation = fused} network either (channels-last
 * layers, conv forward outputs kept for backprop, fused BatchNorm and noisy BatchNorm): with every
 * probe on every step, parameters, losses and gradients stay bit-identical to training without probes.
 */
class FusedProbesTest {

    @Test
    void probesDoNotChangeFusedTraining() {
        NativeBackend.configure();
        for (Variant v : List.of(Variant.BATCHNORM, Variant.NOISY_BATCHNORM, Variant.STANDARD)) {
            MultiLayerNetwork plain = net(v);
            MultiLayerNetwork probed = net(v);
            assertEquals(plain.params(), probed.params());
            ProbeSchedule each = ProbeSchedule.every(1);
            StepObserver observer = new StepObserver(ProbeSettings.defaults()
                    .withIcs(new ProbeSettings.Ics(true, each, List.of(), true, 64))
                    .withLandscape(new ProbeSettings.Landscape(true, each, 3, 0.5, 2.0))
                    .withActivations(new ProbeSettings.Activations(true, each, List.of(), List.of(0, 1), 32))
                    .withLayerNorms(new ProbeSettings.LayerNorms(true, each))
                    .withSeed(7));
            MemorySnapshotSink sink = new MemorySnapshotSink();
            for (int step = 0; step < 4; step++) {
                DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 300 + step, 16, 32);
                plain.fit(batch);
                ProbeNets.observedStep(probed, observer, batch, sink);
                assertEquals(plain.score(), probed.score(), v + ": loss at step " + step);
                assertEquals(plain.params(), probed.params(), v + ": params after step " + step);
                assertEquals(plain.getFlattenedGradients(), probed.getFlattenedGradients(), v + ": gradient after step " + step);
            }
            assertFalse(sink.rows(SnapshotTables.ICS).isEmpty(), v + ": no ICS rows");
            assertFalse(sink.rows(SnapshotTables.ACTIVATIONS).isEmpty(), v + ": no activation rows");
        }
    }

    private static MultiLayerNetwork net(Variant v) {
        MultiLayerNetwork net = new MultiLayerNetwork(VggBuilder.of("4,M,6", 8).variant(v)
                .implementation(Implementation.FUSED).seed(42).build());
        net.init();
        return net;
    }
}
