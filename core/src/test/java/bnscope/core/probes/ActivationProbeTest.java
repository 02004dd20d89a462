package bnscope.core.probes;

import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ActivationProbeTest {
    private static final List<Integer> UNITS = List.of(0, 2, 7);

    private static List<GenericRecord> probe(long seed, DataSet batch, MultiLayerNetwork net) {
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ActivationProbe probe = new ActivationProbe(new ProbeSettings.Activations(true, ProbeSchedule.every(1), List.of(), UNITS, 20));
        ProbeNets.observedStep(net, new StepObserver(ProbeSettings.none().withSeed(seed), List.of(probe)), batch, sink);
        return sink.rows(SnapshotTables.ACTIVATIONS);
    }

    @Test
    void momentsMatchAStraightforwardComputationOnFeedForward() {
        MultiLayerNetwork net = ProbeNets.convBn(DataType.FLOAT, 61);
        net.fit(ProbeNets.imageBatch(DataType.FLOAT, 62, 16, 8));
        DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 63, 16, 8);
        MultiLayerNetwork twin = net.clone();
        List<INDArray> ff = twin.feedForward(batch.getFeatures(), true);
        // convBn: 0 conv1, 1 bn1, 2 relu, 3 pool, 4 dense1, 5 bn2, 6 relu, 7 output; ff.get(j) enters layer j
        List<GenericRecord> rows = probe(1, batch, net);

        check(rows, 1, "input", channels(ff.get(0)));
        check(rows, 1, "norm_output", channels(ff.get(2)));
        check(rows, 2, "input", columns(ff.get(4).dup('c').reshape('c', 16, 64)));
        check(rows, 2, "norm_output", columns(ff.get(6)));
        check(rows, 3, "input", columns(ff.get(7)));
        // BN output is taken before the ReLU that follows it (which may work in place on it)
        assertTrue(rows.stream().anyMatch(r -> (int) r.get("layer") == 1 && r.get("point").toString().equals("norm_output")
                && (int) r.get("unit") == -1 && (double) r.get("min") < 0));
        assertTrue(rows.stream().noneMatch(r -> (int) r.get("layer") == 3 && r.get("point").toString().equals("norm_output")));
        // conv1 has 4 channels: unit 7 is skipped there but reported for 16-wide layers
        assertTrue(rows.stream().noneMatch(r -> (int) r.get("layer") == 1 && (int) r.get("unit") == 7));
        assertTrue(rows.stream().anyMatch(r -> (int) r.get("layer") == 3 && (int) r.get("unit") == 7));
    }

    /** values[u] = all values of channel u of an NCHW array; the last entry is every value. */
    private static double[][] channels(INDArray a) {
        long[] s = a.shape();
        double[][] out = new double[(int) s[1] + 1][];
        List<List<Double>> lists = new ArrayList<>();
        for (int c = 0; c <= s[1]; c++) {
            lists.add(new ArrayList<>());
        }
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int h = 0; h < s[2]; h++) {
                    for (int w = 0; w < s[3]; w++) {
                        double v = a.getDouble(n, c, h, w);
                        lists.get(c).add(v);
                        lists.get((int) s[1]).add(v);
                    }
                }
            }
        }
        for (int c = 0; c <= s[1]; c++) {
            out[c] = lists.get(c).stream().mapToDouble(Double::doubleValue).toArray();
        }
        return out;
    }

    private static double[][] columns(INDArray a) {
        long[] s = a.shape();
        double[][] out = new double[(int) s[1] + 1][(int) s[0]];
        out[(int) s[1]] = new double[(int) (s[0] * s[1])];
        int k = 0;
        for (int n = 0; n < s[0]; n++) {
            for (int u = 0; u < s[1]; u++) {
                double v = a.getDouble(n, u);
                out[u][n] = v;
                out[(int) s[1]][k++] = v;
            }
        }
        return out;
    }

    private static void check(List<GenericRecord> rows, int layer, String point, double[][] byUnit) {
        int width = byUnit.length - 1;
        for (int unit : List.of(0, 2, 7, -1)) {
            if (unit >= width) {
                continue;
            }
            double[] v = unit == -1 ? byUnit[width] : byUnit[unit];
            GenericRecord r = rows.stream().filter(x -> (int) x.get("layer") == layer && x.get("point").toString().equals(point)
                    && (int) x.get("unit") == unit).findFirst().orElseThrow(() -> new AssertionError("missing " + layer + " " + point + " " + unit));
            String what = "layer " + layer + " " + point + " unit " + unit;
            double mean = 0;
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (double x : v) {
                mean += x / v.length;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double[] m = new double[5];
            for (double x : v) {
                for (int p = 2; p <= 4; p++) {
                    m[p] += Math.pow(x - mean, p) / v.length;
                }
            }
            assertEquals((long) v.length, (long) r.get("count"), what);
            assertEquals(mean, (double) r.get("mean"), 1e-5 * (1 + Math.abs(mean)), what + " mean");
            for (int p = 2; p <= 4; p++) {
                assertEquals(m[p], (double) r.get("m" + p), 1e-4 * (1 + Math.abs(m[p])), what + " m" + p);
            }
            assertEquals(min, (double) r.get("min"), 1e-5 * (1 + Math.abs(min)), what + " min");
            assertEquals(max, (double) r.get("max"), 1e-5 * (1 + Math.abs(max)), what + " max");
            @SuppressWarnings("unchecked") List<Float> sample = (List<Float>) r.get("sample");
            assertEquals(Math.min(20, v.length), sample.size(), what + " sample size");
            for (float x : sample) {
                assertTrue(x >= min - 1e-5 && x <= max + 1e-5, what + " sample value within range");
            }
        }
    }

    @Test
    void sampleIsDeterministicPerSeed() {
        DataSet batch = ProbeNets.imageBatch(DataType.FLOAT, 71, 16, 8);
        List<GenericRecord> a = probe(5, batch, ProbeNets.convBn(DataType.FLOAT, 70));
        List<GenericRecord> b = probe(5, batch, ProbeNets.convBn(DataType.FLOAT, 70));
        List<GenericRecord> c = probe(6, batch, ProbeNets.convBn(DataType.FLOAT, 70));
        assertEquals(a.size(), b.size());
        int sampled = 0;
        int differ = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).get("sample"), b.get(i).get("sample"));
            assertEquals(a.get(i).get("mean"), c.get(i).get("mean"), "moments do not depend on the seed");
            if ((long) a.get(i).get("count") > 20) { // smaller units are kept whole
                sampled++;
                differ += a.get(i).get("sample").equals(c.get(i).get("sample")) ? 0 : 1;
            }
        }
        assertTrue(sampled >= 6);
        assertEquals(sampled, differ, "another run seed draws other samples");
    }

    @Test
    void sampleIndicesAreDistinctSortedAndCoverSmallPopulations() {
        int[] idx = ActivationSummary.sampleIndices(1000, 256, 9);
        assertEquals(256, idx.length);
        for (int i = 1; i < idx.length; i++) {
            assertTrue(idx[i] > idx[i - 1]);
        }
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, ActivationSummary.sampleIndices(5, 5, 9));
        // each index is drawn with probability k/n: mean over many seeds of the count of index 0
        int hits = 0;
        for (long seed = 0; seed < 4000; seed++) {
            int[] s = ActivationSummary.sampleIndices(10, 3, seed);
            hits += s[0] == 0 ? 1 : 0;
        }
        assertEquals(0.3, hits / 4000.0, 0.03);
    }
}
