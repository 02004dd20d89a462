package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;

import java.util.List;

/**
 * Per weight layer and parameter (W, and gamma/beta of the norm layer after it): the parameter
 * norm at w_step, the norm of this worker's update w_step+1 − w_step, and the norm of the raw
 * minibatch gradient G. Needs no extra pass.
 */
public final class LayerNormProbe implements Probe {
    private final ProbeSettings.LayerNorms settings;

    public LayerNormProbe(ProbeSettings.LayerNorms settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "layer_norms";
    }

    @Override
    public List<TableSchema> tables() {
        return List.of(SnapshotTables.LAYER_NORMS);
    }

    @Override
    public boolean due(long step) {
        return settings.due(step);
    }

    @Override
    public boolean recomputesPasses() {
        return false;
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        for (WeightLayer layer : s.layers().layers()) {
            for (ParamSlice p : layer.reportedParams()) {
                double[] before = p.doubles(s.paramsBefore());
                double[] after = p.doubles(s.paramsAfter());
                sink.write(SnapshotTables.LAYER_NORMS, s.key().startRow(SnapshotTables.LAYER_NORMS)
                        .set("layer", layer.number())
                        .set("layer_name", layer.name())
                        .set("param", p.param())
                        .set("param_norm", DoubleVectors.norm(before))
                        .set("update_norm", DoubleVectors.diffNorm(after, before))
                        .set("grad_norm", DoubleVectors.norm(p.doubles(s.gradient())))
                        .build());
            }
        }
    }
}
