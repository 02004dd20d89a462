package bnscope.bench;

import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.probes.StepObserver;
import bnscope.core.snapshots.SnapshotSink;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training steps taken through a {@link StepObserver} as the training hook takes them, timing
 * {@code net.fit} and the observer's {@code after()} (the probes) apart: what the probe-cost
 * benchmarks divide. Timed steps are labelled by the observer they ran with.
 */
final class ObservedSteps {
    private final MultiLayerNetwork net;
    private final SnapshotSink sink;
    private final GridCell cell;
    private final List<Double> fitMs = new ArrayList<>();
    private final Map<String, List<Double>> afterMs = new LinkedHashMap<>();

    ObservedSteps(MultiLayerNetwork net, SnapshotSink sink, Variant variant) {
        this.net = net;
        this.sink = sink;
        this.cell = new GridCell(variant, 0.1, 1);
    }

    /** A warm-up step: taken, not timed. */
    void untimed(StepObserver observer, DataSet batch) {
        step(observer, batch, null);
    }

    /** A timed step; its fit time joins every timed step's, its observer time {@code label}'s. */
    void timed(String label, StepObserver observer, DataSet batch) {
        step(observer, batch, label);
    }

    /** Median {@code net.fit} time over every timed step. */
    double medianFitMs() {
        return median(fitMs);
    }

    /** Median observer ({@code after()}) time of the steps timed as {@code label}. */
    double medianAfterMs(String label) {
        return median(afterMs.getOrDefault(label, List.of()));
    }

    private void step(StepObserver observer, DataSet batch, String label) {
        observer.before(net, batch, StepObserver.keyFor("probe-benchmark", cell, 0, net.getIterationCount(), 1));
        long t0 = System.nanoTime();
        net.fit(batch);
        long t1 = System.nanoTime();
        observer.after(net, batch, sink);
        long t2 = System.nanoTime();
        if (label != null) {
            fitMs.add((t1 - t0) / 1e6);
            afterMs.computeIfAbsent(label, k -> new ArrayList<>()).add((t2 - t1) / 1e6);
        }
    }

    private static double median(List<Double> ms) {
        return new StepTimes(ms.stream().mapToDouble(Double::doubleValue).toArray()).median();
    }
}
