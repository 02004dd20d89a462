package bnscope.core.probes;

import bnscope.core.BadInputException;
import bnscope.core.grid.GridCell;
import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps one local SGD step ({@code net.fit(minibatch)}) on a worker: {@link #before} arms a
 * listener that keeps the fit's own gradient and accuracy, {@link #after} writes the step's
 * METRICS "train" row, runs the probes that are due and puts the network back exactly as the step
 * left it. A DL4J TrainingHook delegates preUpdate/postUpdate here.
 *
 * <p>Serializable: only the settings travel; listener, probes and the weight-layer map are made on
 * the executor on first use. Probes recompute forward passes, so networks with dropout or weight
 * noise (which draw from ND4J's global generator and would shift training's random stream) are
 * refused when a recomputing probe is enabled.
 */
public final class StepObserver implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ProbeSettings settings;

    private transient StepCapture capture;
    private transient List<Probe> probes;
    private transient MultiLayerNetwork layersOf;
    private transient WeightLayers layers;
    private transient StepKey key;
    private transient int iteration;
    private transient boolean due;
    private transient INDArray paramsBefore;

    public StepObserver(ProbeSettings settings) {
        this.settings = settings;
    }

    /** An observer running exactly {@code probes} (each at its own schedule), for tests and benchmarks. */
    StepObserver(ProbeSettings settings, List<Probe> probes) {
        this.settings = settings;
        this.probes = List.copyOf(probes);
    }

    /**
     * An observer running exactly {@code probes} (each at its own schedule) instead of the five the
     * settings describe; for benchmarks that time one probe at a time. Not for shipping to executors
     * (the probe list is not serialized).
     */
    public static StepObserver withProbes(ProbeSettings settings, List<Probe> probes) {
        return new StepObserver(settings, probes);
    }

    public ProbeSettings settings() {
        return settings;
    }

    /**
     * The key of the step a worker is about to take: its network's iteration count is the global
     * step (the training master sets it to split × averagingFrequency before each split).
     */
    public static StepKey keyFor(String runId, GridCell cell, int worker, int iterationCount, int averagingFrequency) {
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("averagingFrequency must be >= 1, got " + averagingFrequency);
        }
        return new StepKey(runId, cell, worker, iterationCount / averagingFrequency,
                iterationCount % averagingFrequency, iterationCount);
    }

    /** Call right before {@code net.fit(batch)}. */
    public synchronized void before(MultiLayerNetwork net, DataSet batch, StepKey key) {
        this.key = key;
        this.iteration = net.getIterationCount();
        List<Probe> dueProbes = probes().stream().filter(p -> p.due(key.step())).toList();
        this.due = !dueProbes.isEmpty();
        if (due && batch.hasMaskArrays()) {
            throw new BadInputException("Probes do not support masked minibatches (features or label masks are set). Disable the probes for this data.");
        }
        if (dueProbes.stream().anyMatch(Probe::recomputesPasses)) {
            checkNoRandomForward(net);
        }
        if (capture == null) {
            capture = new StepCapture();
        }
        capture.arm(due);
        if (!net.getListeners().contains(capture)) {
            net.addListeners(capture);
        }
        paramsBefore = due ? net.params().dup() : null;
    }

    /** Call right after {@code net.fit(batch)}; writes rows to {@code sink}. */
    public synchronized void after(MultiLayerNetwork net, DataSet batch, SnapshotSink sink) {
        if (key == null) {
            throw new IllegalStateException("after() without before()");
        }
        detach(net);
        if (capture.calls() != 1) {
            throw new IllegalStateException("expected one gradient computation in the step, saw " + capture.calls());
        }
        int batchSize = (int) batch.getFeatures().size(0);
        sink.write(SnapshotTables.METRICS, key.startRow(SnapshotTables.METRICS)
                .set("kind", "train")
                .set("loss", net.score())
                .set("accuracy", capture.accuracy())
                .set("examples", batchSize)
                .set("time_ms", System.currentTimeMillis())
                .build());
        if (due) {
            runProbes(net, batch, sink, batchSize);
        }
        key = null;
        paramsBefore = null;
    }

    private void runProbes(MultiLayerNetwork net, DataSet batch, SnapshotSink sink, int batchSize) {
        if (layers == null || layersOf != net) {
            layers = WeightLayers.of(net);
            layersOf = net;
        }
        List<Probe> due = probes().stream().filter(p -> p.due(key.step())).toList();
        NetworkState post = NetworkState.capture(net);
        StepSnapshot s = new StepSnapshot(net, batch.getFeatures(), batch.getLabels(), key, iteration,
                paramsBefore, post.params(), capture.gradient(), net.score(), learningRate(net), batchSize, layers,
                settings.seed());
        try {
            for (Probe probe : due) {
                net.setParams(paramsBefore);
                NetworkState.pinIteration(net, iteration);
                probe.record(s, sink);
            }
        } finally {
            post.restore();
        }
    }

    private List<Probe> probes() {
        if (probes == null) {
            probes = new ArrayList<>();
            probes.add(new LayerNormProbe(settings.layerNorms()));
            probes.add(new GradientShiftProbe(settings.ics()));
            probes.add(new LandscapeProbe(settings.landscape()));
            probes.add(new ActivationProbe(settings.activations()));
            probes.add(new SharpnessProbe(settings.sharpness()));
        }
        return probes;
    }

    private static void detach(MultiLayerNetwork net) {
        List<TrainingListener> keep = new ArrayList<>();
        for (TrainingListener l : net.getListeners()) {
            if (!(l instanceof StepCapture)) {
                keep.add(l);
            }
        }
        net.setListeners(keep);
    }

    /** The step's learning rate, from the first weight layer's updater (with its schedule, if any). */
    private double learningRate(MultiLayerNetwork net) {
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer conf && conf.getIUpdater() != null && layer.numParams() > 0) {
                return conf.getIUpdater().getLearningRate(iteration, net.getEpochCount());
            }
        }
        return Double.NaN;
    }

    private static void checkNoRandomForward(MultiLayerNetwork net) {
        for (Layer layer : net.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            boolean noisy = conf.getIDropout() != null
                    || (conf instanceof BaseLayer b && b.getWeightNoise() != null);
            if (noisy) {
                throw new BadInputException("Layer " + layer.getIndex() + " (" + conf.getLayerName() + ") uses dropout or weight noise, "
                        + "which draws from ND4J's global random generator: the ics, landscape, activations and sharpness probes recompute forward "
                        + "passes and would change training's random stream. Remove the dropout/weight noise or disable those probes.");
            }
        }
    }
}
