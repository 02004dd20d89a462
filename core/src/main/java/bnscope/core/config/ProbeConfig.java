package bnscope.core.config;

import bnscope.core.probes.ProbeSchedule;
import bnscope.core.probes.ProbeSettings;

import java.util.List;

/** Maps the {@code probe.*} config keys onto the {@link ProbeSettings} the executors run with. */
public final class ProbeConfig {
    private ProbeConfig() {
    }

    public static ProbeSettings settings(RunConfig c) {
        boolean on = c.getBoolean("probe.enabled");
        return new ProbeSettings(
                new ProbeSettings.Ics(on, schedule(c, "probe.ics"), c.getList("probe.ics.layers"),
                        c.getBoolean("probe.ics.vectors"), c.getInt("probe.ics.chunk_size")),
                new ProbeSettings.Landscape(on, schedule(c, "probe.landscape"), c.getInt("probe.landscape.points"),
                        c.getDouble("probe.landscape.min"), c.getDouble("probe.landscape.max")),
                new ProbeSettings.Activations(on, schedule(c, "probe.activations"), c.getList("probe.activations.layers"),
                        c.getList("probe.activations.units"), c.getInt("probe.activations.sample_size")),
                new ProbeSettings.LayerNorms(on, schedule(c, "probe.layer_norms")),
                new ProbeSettings.Sharpness(on, schedule(c, "probe.sharpness"), c.getInt("probe.sharpness.k"),
                        c.getInt("probe.sharpness.iterations"), c.getDouble("probe.sharpness.tolerance"),
                        c.getInt("probe.sharpness.trace_samples"), c.getBoolean("probe.sharpness.per_layer"),
                        c.getList("probe.sharpness.layers"), c.getDouble("probe.sharpness.fd_step")),
                c.getLong("run.seed"));
    }

    private static ProbeSchedule schedule(RunConfig c, String prefix) {
        List<Long> steps = c.getList(prefix + ".steps");
        return new ProbeSchedule(c.getInt(prefix + ".every"), steps);
    }
}
