package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecordBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Internal covariate shift as a change of gradients (the paper's Definition 2.1, Section 2.2).
 * For weight layer i: G_i = ∇_{W_i} L at w_step (taken from the fit itself) and G'_i = the same
 * gradient after the layers before i took their step, same minibatch and same noise draw. For the
 * gamma/beta of the norm layer after weight layer i, G' moves every layer before that norm layer.
 *
 * <p>Cost: one forward pass at w_step+1 caches each layer's post-step input; then each distinct
 * boundary (weight layer i, or its norm layer) costs one forward and backward through the layers
 * from the boundary on. Boundaries with no parameters before them (layer #1) are free: G' = G
 * exactly. GradientShiftProbeTest measures the total in units of a training step.
 */
public final class GradientShiftProbe implements Probe {
    private final ProbeSettings.Ics settings;

    public GradientShiftProbe(ProbeSettings.Ics settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "ics";
    }

    @Override
    public List<TableSchema> tables() {
        return settings.vectors() ? List.of(SnapshotTables.ICS, SnapshotTables.ICS_VECTORS) : List.of(SnapshotTables.ICS);
    }

    @Override
    public boolean due(long step) {
        return settings.due(step);
    }

    /** One reported parameter and the DL4J layer index from which on parameters stay at w_step. */
    private record Target(WeightLayer layer, ParamSlice param, int boundary) {
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        Map<Integer, List<Target>> byBoundary = new TreeMap<>();
        for (WeightLayer layer : s.layers().select(settings.layers(), "probe.ics.layers")) {
            add(byBoundary, new Target(layer, layer.weight(), layer.dl4jIndex()));
            if (layer.norm() != null) {
                for (ParamSlice p : layer.reportedParams().subList(1, layer.reportedParams().size())) {
                    add(byBoundary, new Target(layer, p, layer.norm().dl4jIndex()));
                }
            }
        }
        List<double[]> gPrimes = new ArrayList<>();
        List<Target> order = new ArrayList<>();
        NetworkPass pass = s.pass();
        List<INDArray> postInputs = null;
        for (Map.Entry<Integer, List<Target>> e : byBoundary.entrySet()) {
            int boundary = e.getKey();
            INDArray gradientPrime;
            if (s.layers().layerStart(boundary) == 0) {
                gradientPrime = s.gradient();
            } else {
                if (postInputs == null) {
                    s.net().setParams(s.paramsAfter());
                    postInputs = pass.layerInputs(s.features());
                    s.net().setParams(s.paramsBefore());
                }
                gradientPrime = pass.run(boundary, postInputs.get(boundary), s.labels()).gradient();
            }
            for (Target t : e.getValue()) {
                order.add(t);
                gPrimes.add(t.param().doubles(gradientPrime));
            }
        }
        for (int k = 0; k < order.size(); k++) {
            Target t = order.get(k);
            double[] g = t.param().doubles(s.gradient());
            double[] gPrime = gPrimes.get(k);
            write(s, sink, t, g, gPrime);
        }
    }

    private static void add(Map<Integer, List<Target>> byBoundary, Target t) {
        byBoundary.computeIfAbsent(t.boundary(), k -> new ArrayList<>()).add(t);
    }

    private void write(StepSnapshot s, SnapshotSink sink, Target t, double[] g, double[] gPrime) {
        double gNorm = DoubleVectors.norm(g);
        double gPrimeNorm = DoubleVectors.norm(gPrime);
        double dot = DoubleVectors.dot(g, gPrime);
        sink.write(SnapshotTables.ICS, layerRow(s, SnapshotTables.ICS, t)
                .set("g_norm", gNorm)
                .set("g_prime_norm", gPrimeNorm)
                .set("dot", dot)
                .set("diff_norm", DoubleVectors.diffNorm(g, gPrime))
                .set("cosine", DoubleVectors.cosine(dot, gNorm, gPrimeNorm))
                .set("batch_size", s.batchSize())
                .build());
        if (settings.vectors()) {
            writeChunks(s, sink, t, g, gPrime);
        }
    }

    /** G and G' chunk by chunk, the same elements of both in one row (the SQL check then needs no join). */
    private void writeChunks(StepSnapshot s, SnapshotSink sink, Target t, double[] g, double[] gPrime) {
        int size = settings.chunkSize();
        for (int chunk = 0; (long) chunk * size < g.length; chunk++) {
            int from = chunk * size;
            int to = Math.min(g.length, from + size);
            sink.write(SnapshotTables.ICS_VECTORS, layerRow(s, SnapshotTables.ICS_VECTORS, t)
                    .set("chunk", chunk)
                    .set("g", floats(g, from, to))
                    .set("g_prime", floats(gPrime, from, to))
                    .build());
        }
    }

    private static List<Float> floats(double[] values, int from, int to) {
        List<Float> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add((float) values[i]);
        }
        return out;
    }

    private static GenericRecordBuilder layerRow(StepSnapshot s, TableSchema table, Target t) {
        return s.key().startRow(table)
                .set("layer", t.layer().number())
                .set("layer_name", t.layer().name())
                .set("param", t.param().param());
    }
}
