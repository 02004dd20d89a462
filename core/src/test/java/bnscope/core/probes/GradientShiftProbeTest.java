package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GradientShiftProbeTest {

    /** (paper layer, param) of every row the conv-BN test net has, with the DL4J layer index G' starts from. */
    private record Expected(int layer, String param, int paramLayer, int boundary) {
    }

    // convBn: 0 conv1, 1 bn1, 2 relu, 3 pool, 4 dense1, 5 bn2, 6 relu, 7 output
    private static final List<Expected> ROWS = List.of(
            new Expected(1, "W", 0, 0), new Expected(1, "gamma", 1, 1), new Expected(1, "beta", 1, 1),
            new Expected(2, "W", 4, 4), new Expected(2, "gamma", 5, 5), new Expected(2, "beta", 5, 5),
            new Expected(3, "W", 7, 7));

    private static ProbeSettings.Ics ics(boolean vectors, int chunk) {
        return new ProbeSettings.Ics(true, ProbeSchedule.every(1), List.of(), vectors, chunk);
    }

    private static final class Run {
        final MemorySnapshotSink sink = new MemorySnapshotSink();
        final SnapshotRecorder recorder = new SnapshotRecorder();
        MultiLayerNetwork net;
        DataSet batch;

        Run(DataType type, boolean vectors, int chunk) {
            net = ProbeNets.convBn(type, 21);
            net.fit(ProbeNets.imageBatch(type, 22, 16, 8));
            net.fit(ProbeNets.imageBatch(type, 23, 16, 8));
            batch = ProbeNets.imageBatch(type, 24, 16, 8);
            StepObserver observer = new StepObserver(ProbeSettings.none(), List.of(recorder, new GradientShiftProbe(ics(vectors, chunk))));
            ProbeNets.observedStep(net, observer, batch, sink);
        }

        StepSnapshot snapshot() {
            return recorder.snapshots.get(0);
        }

        GenericRecord row(int layer, String param) {
            return sink.rows(SnapshotTables.ICS).stream()
                    .filter(r -> (int) r.get("layer") == layer && r.get("param").toString().equals(param))
                    .findFirst().orElseThrow(() -> new AssertionError("no ICS row for layer " + layer + " " + param));
        }
    }

    private static double[] doubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    @Test
    void firstLayerGradientDoesNotShift() {
        Run run = new Run(DataType.FLOAT, false, 4096);
        GenericRecord row = run.row(1, "W");
        assertEquals(0.0, (double) row.get("diff_norm"));
        assertEquals((double) row.get("g_norm"), (double) row.get("g_prime_norm"));
        assertEquals(1.0, (double) row.get("cosine"), 1e-12);
        assertEquals(16, row.get("batch_size"));
        assertTrue((double) row.get("g_norm") > 0);
    }

    @Test
    void gradientShiftMatchesHandBuiltParameterMix() {
        Run run = new Run(DataType.DOUBLE, false, 4096);
        StepSnapshot s = run.snapshot();
        assertEquals(ROWS.size(), run.sink.rows(SnapshotTables.ICS).size());
        MultiLayerNetwork twin = run.net.clone();
        Gradient atStep;
        twin.setParams(s.paramsBefore());
        atStep = twin.calculateGradients(run.batch.getFeatures(), run.batch.getLabels(), null, null).getFirst();
        Map<String, INDArray> g = copy(atStep);
        for (Expected e : ROWS) {
            long prefix = 0;
            for (int j = 0; j < e.boundary(); j++) {
                prefix += twin.getLayer(j).numParams();
            }
            twin.setParams(ProbeNets.mixed(s.paramsBefore(), s.paramsAfter(), prefix));
            Map<String, INDArray> gPrime = copy(twin.calculateGradients(run.batch.getFeatures(), run.batch.getLabels(), null, null).getFirst());
            String key = e.paramLayer() + "_" + e.param();
            double[] a = doubles(g.get(key));
            double[] b = doubles(gPrime.get(key));
            double dot = 0, na = 0, nb = 0, nd = 0;
            for (int i = 0; i < a.length; i++) {
                dot += a[i] * b[i];
                na += a[i] * a[i];
                nb += b[i] * b[i];
                nd += (a[i] - b[i]) * (a[i] - b[i]);
            }
            GenericRecord row = run.row(e.layer(), e.param());
            String what = "layer " + e.layer() + " " + e.param();
            assertClose(Math.sqrt(na), (double) row.get("g_norm"), what + " g_norm");
            assertClose(Math.sqrt(nb), (double) row.get("g_prime_norm"), what + " g_prime_norm");
            assertClose(dot, (double) row.get("dot"), what + " dot");
            assertClose(Math.sqrt(nd), (double) row.get("diff_norm"), what + " diff_norm");
            assertClose(dot / Math.sqrt(na * nb), (double) row.get("cosine"), what + " cosine");
            if (e.boundary() > 0) {
                assertTrue(Math.sqrt(nd) > 0, what + ": layers before moved, so G' should differ from G");
            }
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-9 * Math.max(1e-12, Math.abs(expected)), what);
    }

    private static Map<String, INDArray> copy(Gradient g) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        g.gradientForVariable().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    @Test
    void vectorChunksReassembleIntoGAndGPrime() {
        Run run = new Run(DataType.FLOAT, true, 50);
        StepSnapshot s = run.snapshot();
        WeightLayers layers = WeightLayers.of(run.net);
        List<GenericRecord> chunks = run.sink.rows(SnapshotTables.ICS_VECTORS);
        for (Expected e : ROWS) {
            double[] g = assemble(chunks, e, "g");
            double[] gPrime = assemble(chunks, e, "g_prime");
            ParamSlice slice = layers.byNumber(e.layer()).reportedParams().stream()
                    .filter(p -> p.param().equals(e.param())).findFirst().orElseThrow();
            assertArrayEquals(slice.doubles(s.gradient()), g, "G of layer " + e.layer() + " " + e.param());
            assertEquals(slice.length(), gPrime.length);
            double dot = 0, na = 0, nb = 0, nd = 0;
            for (int i = 0; i < g.length; i++) {
                dot += g[i] * gPrime[i];
                na += g[i] * g[i];
                nb += gPrime[i] * gPrime[i];
                nd += (g[i] - gPrime[i]) * (g[i] - gPrime[i]);
            }
            GenericRecord row = run.row(e.layer(), e.param());
            assertEquals((double) row.get("g_norm"), Math.sqrt(na), 1e-12 * Math.sqrt(na));
            assertEquals((double) row.get("g_prime_norm"), Math.sqrt(nb), 1e-12 * Math.sqrt(nb));
            assertEquals((double) row.get("dot"), dot, 1e-12 * Math.abs(dot) + 1e-300);
            assertEquals((double) row.get("diff_norm"), Math.sqrt(nd), 1e-12 * Math.sqrt(na) + 1e-300);
        }
    }

    /** One vector reassembled from its chunks: column "g" or "g_prime" of the parameter's rows, in chunk order. */
    private static double[] assemble(List<GenericRecord> chunks, Expected e, String column) {
        List<GenericRecord> mine = new ArrayList<>();
        for (GenericRecord r : chunks) {
            if ((int) r.get("layer") == e.layer() && r.get("param").toString().equals(e.param())) {
                mine.add(r);
            }
        }
        mine.sort(Comparator.comparingInt(r -> (int) r.get("chunk")));
        List<Float> all = new ArrayList<>();
        for (int c = 0; c < mine.size(); c++) {
            assertEquals(c, (int) mine.get(c).get("chunk"), "chunks are numbered 0..n-1");
            @SuppressWarnings("unchecked") List<Float> values = (List<Float>) mine.get(c).get(column);
            if (c < mine.size() - 1) {
                assertEquals(50, values.size(), "only the last chunk may be short");
            }
            assertEquals(((List<?>) mine.get(c).get("g")).size(), ((List<?>) mine.get(c).get("g_prime")).size(),
                    "g and g_prime of a row hold the same elements");
            all.addAll(values);
        }
        double[] out = new double[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void selectedLayersOnly() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 5);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        GradientShiftProbe probe = new GradientShiftProbe(new ProbeSettings.Ics(true, ProbeSchedule.every(1), List.of(2), false, 4096));
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none(), List.of(probe)), ProbeNets.imageBatch(DataType.FLOAT, 6, 16, 8), sink);
        List<String> rows = sink.rows(SnapshotTables.ICS).stream().map(r -> r.get("layer") + ":" + r.get("param")).toList();
        assertEquals(List.of("2:W", "2:gamma", "2:beta"), rows);
    }
}
