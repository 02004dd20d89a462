package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Layer-input distributions at w_step on the step's minibatch (the paper's Fig. 1, 2, 7, 8): for
 * each selected weight layer, the activations entering it (point "input"; for layer #1 the image)
 * and the output of its normalization layer (point "norm_output"), per configured unit and pooled
 * (unit −1). Units are channels for 4-d activations (values over batch × height × width) and
 * columns for 2-d ones; a dense layer after a conv stack sees the flattened activations, so its
 * units are flattened positions. Units beyond the layer's width are skipped.
 *
 * <p>One training-mode forward pass at w_step with the step's iteration count (so noisy BN draws
 * the step's noise). The sample seed depends on (run seed, step, layer, unit), not on the point:
 * where input and norm output have the same number of values the same positions are drawn.
 */
public final class ActivationProbe implements Probe {
    public static final String INPUT = "input";
    public static final String NORM_OUTPUT = "norm_output";

    private final ProbeSettings.Activations settings;

    public ActivationProbe(ProbeSettings.Activations settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "activations";
    }

    @Override
    public List<TableSchema> tables() {
        return List.of(SnapshotTables.ACTIVATIONS);
    }

    @Override
    public boolean due(long step) {
        return settings.due(step);
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        List<WeightLayer> selected = s.layers().select(settings.layers(), "probe.activations.layers");
        NetworkPass pass = s.pass();
        s.net().setParams(s.paramsBefore());
        List<INDArray> inputs = pass.layerInputs(s.features());
        for (WeightLayer layer : selected) {
            INDArray in = pass.preprocessed(layer.dl4jIndex(), inputs.get(layer.dl4jIndex()));
            summarize(s, sink, layer, INPUT, in, unitDim(s, layer.dl4jIndex(), in));
            if (layer.norm() != null) {
                INDArray out = inputs.get(layer.norm().dl4jIndex() + 1);
                summarize(s, sink, layer, NORM_OUTPUT, out, unitDim(s, layer.norm().dl4jIndex(), out));
            }
        }
    }

    private void summarize(StepSnapshot s, SnapshotSink sink, WeightLayer layer, String point, INDArray activations, int unitDim) {
        double[] all = activations.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        long[] shape = activations.shape();
        List<Integer> units = new ArrayList<>();
        for (int u : settings.units()) {
            if (u < shape[unitDim]) {
                units.add(u);
            }
        }
        units.add(-1);
        for (int unit : units) {
            double[] values = unit == -1 ? all : unitValues(all, shape, unitDim, unit);
            long seed = ActivationSummary.seedFor(s.seed(), s.key().step(), layer.number(), unit);
            ActivationSummary a = ActivationSummary.of(values, settings.sampleSize(), seed);
            List<Float> sample = new ArrayList<>(a.sample().length);
            for (float v : a.sample()) {
                sample.add(v);
            }
            sink.write(SnapshotTables.ACTIVATIONS, s.key().startRow(SnapshotTables.ACTIVATIONS)
                    .set("layer", layer.number())
                    .set("layer_name", layer.name())
                    .set("point", point)
                    .set("unit", unit)
                    .set("count", a.count())
                    .set("mean", a.mean())
                    .set("m2", a.m2())
                    .set("m3", a.m3())
                    .set("m4", a.m4())
                    .set("min", a.min())
                    .set("max", a.max())
                    .set("sample", sample)
                    .build());
        }
    }

    /** The values whose index along {@code unitDim} is {@code unit}, from a c-order flattening of an array of {@code shape}. */
    static double[] unitValues(double[] all, long[] shape, int unitDim, int unit) {
        long outer = 1;
        for (int d = 0; d < unitDim; d++) {
            outer *= shape[d];
        }
        long inner = 1;
        for (int d = unitDim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long units = shape[unitDim];
        double[] out = new double[Math.toIntExact(outer * inner)];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            int start = Math.toIntExact((o * units + unit) * inner);
            System.arraycopy(all, start, out, at, (int) inner);
            at += (int) inner;
        }
        return out;
    }

    /** Channel dimension of a layer's 4-d activations (NCHW unless the layer is configured NHWC); 1 otherwise. */
    private static int unitDim(StepSnapshot s, int dl4jIndex, INDArray activations) {
        if (activations.rank() != 4) {
            return 1;
        }
        Layer conf = s.net().getLayer(dl4jIndex).conf().getLayer();
        CNN2DFormat format = null;
        if (conf instanceof ConvolutionLayer c) {
            format = c.getCnn2dDataFormat();
        } else if (conf instanceof BatchNormalization b) {
            format = b.getCnn2DFormat();
        }
        return format == CNN2DFormat.NHWC ? 3 : 1;
    }
}
