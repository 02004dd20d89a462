package bnscope.core.probes;

import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.tables.TableSchema;

import java.util.ArrayList;
import java.util.List;

/** A probe that keeps every snapshot it is given, so tests can check what the observer captured. */
final class SnapshotRecorder implements Probe {
    final List<StepSnapshot> snapshots = new ArrayList<>();

    @Override
    public String name() {
        return "recorder";
    }

    @Override
    public List<TableSchema> tables() {
        return List.of();
    }

    @Override
    public boolean due(long step) {
        return true;
    }

    @Override
    public void record(StepSnapshot s, SnapshotSink sink) {
        snapshots.add(s);
    }
}
