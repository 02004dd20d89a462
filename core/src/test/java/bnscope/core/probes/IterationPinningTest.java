package bnscope.core.probes;

import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Probes recompute step t with the layers' iteration count at t, as noisy BatchNorm needs. */
class IterationPinningTest {

    private static MultiLayerNetwork shifted(DataType type) {
        NativeBackend.configure();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).dataType(type)
                .updater(new Sgd(ProbeNets.LR)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new IterationShift())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(20)).build());
        net.init();
        return net;
    }

    @Test
    void landscapeAtEtaEqualLrReproducesTheStepsForwardPass() {
        MultiLayerNetwork net = shifted(DataType.DOUBLE);
        for (int i = 0; i < 3; i++) {
            net.fit(ProbeNets.batch(DataType.DOUBLE, 80 + i, 16, 20));
        }
        DataSet batch = ProbeNets.batch(DataType.DOUBLE, 90, 16, 20);
        int t = net.getIterationCount();
        MemorySnapshotSink sink = new MemorySnapshotSink();
        SnapshotRecorder recorder = new SnapshotRecorder();
        LandscapeProbe landscape = new LandscapeProbe(new ProbeSettings.Landscape(true, ProbeSchedule.every(1), 1, 1.0, 1.0));
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none(), List.of(recorder, landscape)), batch, sink);
        StepSnapshot s = recorder.snapshots.get(0);
        assertEquals(t, s.iteration());

        MultiLayerNetwork twin = net.clone();
        twin.setParams(s.paramsAfter());
        double atT = scoreAt(twin, batch, t);
        double atNext = scoreAt(twin, batch, t + 1);
        assertNotEquals(atT, atNext, 1e-6, "the test layer must make the pass depend on the iteration count");
        assertEquals(atT, (double) sink.rows(SnapshotTables.LANDSCAPE).get(0).get("loss"), 1e-12 * atT);
        assertEquals(t + 1, net.getIterationCount(), "the network is back at its post-step count");
    }

    private static double scoreAt(MultiLayerNetwork net, DataSet batch, int iteration) {
        net.setIterationCount(iteration);
        for (Layer layer : net.getLayers()) {
            layer.setIterationCount(iteration);
        }
        return net.score(batch, true);
    }

    @Test
    void probesDoNotChangeTrainingOfAnIterationDependentNetwork() {
        MultiLayerNetwork plain = shifted(DataType.FLOAT);
        MultiLayerNetwork probed = shifted(DataType.FLOAT);
        ProbeSchedule each = ProbeSchedule.every(1);
        ProbeSettings all = ProbeSettings.defaults()
                .withIcs(new ProbeSettings.Ics(true, each, List.of(), false, 4096))
                .withLandscape(new ProbeSettings.Landscape(true, each, 3, 0.5, 2.0))
                .withActivations(new ProbeSettings.Activations(true, each, List.of(), List.of(0), 8))
                .withLayerNorms(new ProbeSettings.LayerNorms(true, each));
        StepObserver observer = new StepObserver(all);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        for (int step = 0; step < 8; step++) {
            DataSet batch = ProbeNets.batch(DataType.FLOAT, 500 + step, 16, 20);
            plain.fit(batch);
            ProbeNets.observedStep(probed, observer, batch, sink);
            assertEquals(plain.score(), probed.score());
            assertEquals(plain.params(), probed.params());
        }
        GenericRecord row = sink.rows(SnapshotTables.ICS).stream()
                .filter(r -> (int) r.get("layer") == 2 && (long) r.get("step") == 7L).findFirst().orElseThrow();
        assertTrue((double) row.get("diff_norm") > 0);
    }
}
