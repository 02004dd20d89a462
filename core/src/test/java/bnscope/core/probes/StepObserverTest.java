package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StepObserverTest {

    private static ProbeSettings everyStep() {
        ProbeSchedule each = ProbeSchedule.every(1);
        return ProbeSettings.defaults()
                .withIcs(new ProbeSettings.Ics(true, each, List.of(), true, 64))
                .withLandscape(new ProbeSettings.Landscape(true, each, 3, 0.5, 2.0))
                .withActivations(new ProbeSettings.Activations(true, each, List.of(), List.of(0, 1), 32))
                .withLayerNorms(new ProbeSettings.LayerNorms(true, each))
                .withSeed(7);
    }

    @Test
    void probesDoNotChangeTraining() {
        MultiLayerNetwork plain = ProbeNets.convBn(DataType.FLOAT, 42);
        MultiLayerNetwork probed = ProbeNets.convBn(DataType.FLOAT, 42);
        assertEquals(plain.params(), probed.params());
        StepObserver observer = new StepObserver(everyStep());
        MemorySnapshotSink sink = new MemorySnapshotSink();
        for (int step = 0; step < 10; step++) {
            DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 100 + step, 16, 8);
            plain.fit(batch);
            ProbeNets.observedStep(probed, observer, batch, sink);
            assertEquals(plain.score(), probed.score(), "loss at step " + step);
            assertTrue(plain.params().equals(probed.params()), "params after step " + step);
            assertEquals(plain.getFlattenedGradients(), probed.getFlattenedGradients(), "gradient view after step " + step);
            assertEquals(plain.getIterationCount(), probed.getIterationCount());
            Layer[] a = plain.getLayers();
            Layer[] b = probed.getLayers();
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j].getIterationCount(), b[j].getIterationCount(), "layer " + j + " iteration count");
            }
        }
        assertTrue(probed.getListeners().isEmpty(), "observer listener left attached");
        List<GenericRecord> metrics = sink.rows(SnapshotTables.METRICS);
        assertEquals(10, metrics.size());
        for (SnapshotTablesRow t : SnapshotTablesRow.values()) {
            assertFalse(sink.rows(t.table).isEmpty(), t + " rows missing");
        }
    }

    private enum SnapshotTablesRow {
        ICS(SnapshotTables.ICS), ICS_VECTORS(SnapshotTables.ICS_VECTORS), LANDSCAPE(SnapshotTables.LANDSCAPE),
        ACTIVATIONS(SnapshotTables.ACTIVATIONS), LAYER_NORMS(SnapshotTables.LAYER_NORMS);
        final bnscope.core.tables.TableSchema table;

        SnapshotTablesRow(bnscope.core.tables.TableSchema table) {
            this.table = table;
        }
    }

    @Test
    void metricsRowCarriesTheFitsLossAndAccuracy() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 3);
        StepObserver observer = new StepObserver(ProbeSettings.none());
        MemorySnapshotSink sink = new MemorySnapshotSink();
        DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 5, 16, 8);
        // Independent: training-mode output at w_step on a twin network (no extra BN state involved).
        MultiLayerNetwork twin = ProbeNets.convBn(DataType.FLOAT, 3);
        INDArray out = twin.output(batch.getFeatures(), true);
        long[] predicted = out.argMax(1).toLongVector();
        long[] actual = batch.getLabels().argMax(1).toLongVector();
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == actual[i] ? 1 : 0;
        }
        double expectedLoss = twin.score(batch, true);

        ProbeNets.observedStep(net, observer, batch, sink);
        GenericRecord row = sink.rows(SnapshotTables.METRICS).get(0);
        assertEquals("train", row.get("kind").toString());
        assertEquals(0L, row.get("step"));
        assertEquals(16, row.get("examples"));
        assertEquals(net.score(), (double) row.get("loss"));
        assertEquals(expectedLoss, (double) row.get("loss"), 1e-5);
        assertEquals(correct / 16.0, (double) row.get("accuracy"), 1e-12);
    }

    @Test
    void capturedGradientIsTheRawGradientAtTheStepAndTheUpdateIsSgd() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.DOUBLE, 11);
        DataSet batch = ProbeNets.imageBatch(DataType.DOUBLE, 12, 16, 8);
        net.fit(ProbeNets.imageBatch(DataType.DOUBLE, 13, 16, 8)); // not at initial params
        MultiLayerNetwork twin = net.clone();

        SnapshotRecorder recorder = new SnapshotRecorder();
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(recorder));
        ProbeNets.observedStep(net, observer, batch, new MemorySnapshotSink());
        StepSnapshot s = recorder.snapshots.get(0);

        INDArray expected = twin.calculateGradients(batch.getFeatures(), batch.getLabels(), null, null)
                .getFirst().gradient();
        WeightLayers layers = WeightLayers.of(net);
        for (ParamSlice p : layers.trainable()) {
            assertArrayEquals(p.doubles(expected), p.doubles(s.gradient()), 1e-12, "gradient of " + p);
            double[] before = p.doubles(s.paramsBefore());
            double[] after = p.doubles(s.paramsAfter());
            double[] g = p.doubles(s.gradient());
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i] - ProbeNets.LR * (g[i] / 16), after[i], 1e-15, "SGD update of " + p);
            }
        }
        assertEquals(1, s.iteration());
        assertEquals(1L, s.key().step());
        assertEquals(ProbeNets.LR, s.learningRate());
    }

    @Test
    void floatSgdUpdateIsExactlyMinusLrTimesMeanGradient() {
        MultiLayerNetwork net = ProbeNets.dense(DataType.FLOAT, 4);
        SnapshotRecorder recorder = new SnapshotRecorder();
        StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(recorder));
        DataSet batch = ProbeNets.batch(DataType.FLOAT, 9, 16, 20);
        ProbeNets.observedStep(net, observer, batch, new MemorySnapshotSink());
        StepSnapshot s = recorder.snapshots.get(0);
        INDArray expected = s.paramsBefore().sub(s.gradient().div(16).mul(ProbeNets.LR));
        assertEquals(expected, s.paramsAfter());
    }

    @Test
    void refusesDropoutWhenProbesRecomputePasses() {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1)
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(20).nOut(8).dropOut(0.5).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build());
        net.init();
        StepObserver observer = new StepObserver(everyStep());
        DataSet batch = ProbeNets.batch(DataType.FLOAT, 1, 16, 20);
        bnscope.core.BadInputException e = assertThrows(bnscope.core.BadInputException.class,
                () -> ProbeNets.observedStep(net, observer, batch, new MemorySnapshotSink()));
        assertTrue(e.getMessage().contains("dropout"), e.getMessage());
        // layer norms alone need no recomputation
        StepObserver normsOnly = new StepObserver(ProbeSettings.none()
                .withLayerNorms(new ProbeSettings.LayerNorms(true, ProbeSchedule.every(1))));
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeNets.observedStep(net, normsOnly, batch, sink);
        assertEquals(2, sink.rows(SnapshotTables.LAYER_NORMS).size());
    }

    @Test
    void keyForSplitsTheIterationCount() {
        bnscope.core.grid.GridCell cell = new bnscope.core.grid.GridCell(bnscope.core.models.Variant.STANDARD, 0.5, 7);
        StepKey k = StepObserver.keyFor("r", cell, 1, 10, 4);
        assertEquals(new StepKey("r", cell, 1, 2, 2, 10), k);
    }

    @Test
    void observerSurvivesJavaSerialization() throws Exception {
        StepObserver observer = new StepObserver(everyStep());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(observer);
        }
        StepObserver copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (StepObserver) in.readObject();
        }
        assertEquals(observer.settings(), copy.settings());
        MultiLayerNetwork net = ProbeNets.dense(DataType.FLOAT, 1);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ProbeNets.observedStep(net, copy, ProbeNets.batch(DataType.FLOAT, 2, 16, 20), sink);
        assertEquals(1, sink.rows(SnapshotTables.METRICS).size());
        assertFalse(sink.rows(SnapshotTables.ICS).isEmpty());
    }
}
