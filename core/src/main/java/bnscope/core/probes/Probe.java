package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.TableSchema;

import java.util.List;

/**
 * One measurement taken around an SGD step. A probe may set the network's parameters and run
 * passes on it; {@link StepObserver} puts the network back exactly afterwards, so a probe never
 * changes training.
 */
public interface Probe {
    /** The probe's config name: probe.&lt;name&gt;.* */
    String name();

    /** Tables the probe writes rows to. */
    List<TableSchema> tables();

    /** Whether the probe runs at global step {@code step}. */
    boolean due(long step);

    /**
     * Whether the probe runs forward passes of its own. Those would draw from ND4J's global random
     * generator in networks with dropout or weight noise, which StepObserver therefore refuses.
     */
    default boolean recomputesPasses() {
        return true;
    }

    /** Computes this step's rows and writes them to {@code sink}. */
    void record(StepSnapshot s, SnapshotSink sink);
}
