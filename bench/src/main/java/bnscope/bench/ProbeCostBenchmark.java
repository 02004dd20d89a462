package bnscope.bench;

import bnscope.core.config.RunSettings;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.probes.ActivationProbe;
import bnscope.core.probes.GradientShiftProbe;
import bnscope.core.probes.LandscapeProbe;
import bnscope.core.probes.Probe;
import bnscope.core.probes.ProbeSchedule;
import bnscope.core.probes.ProbeSettings;
import bnscope.core.probes.StepObserver;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.snapshots.StagedSnapshotWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The cost of one full probe, in units of one training step, in a single JVM: vgg-mini (as the
 * config builds it) at the config's batch size on real CIFAR-10 minibatches. Rounds of four
 * observed steps: a plain step, a step with one {@link GradientShiftProbe} (all layers, the config's
 * ics_vectors setting), a step with one {@link LandscapeProbe} (the config's η grid), a step with one
 * {@link ActivationProbe} (all layers, the config's units and sample size). The probe's time is the
 * observer's {@code after()} call (metrics row, probe passes, Parquet rows into a staged file, exact
 * restore); the step's time is {@code net.fit}. Medians over the rounds.
 *
 * <p>Options: {@code ProbeCostBenchmark --help}. Prints {@code RESULT} lines ({@link BenchmarkResults}).
 */
@Command(name = "ProbeCostBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The cost of one ICS, landscape and activation probe, in training steps (single JVM).")
public final class ProbeCostBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MinibatchOptions minibatches;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "batchnorm", description = "model variant (default: ${DEFAULT-VALUE})")
    Variant variant;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "untimed plain steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5",
            description = "timed rounds of a plain, an ICS, a landscape and an activation step (default: ${DEFAULT-VALUE})")
    int rounds;

    public static void main(String[] args) {
        BenchmarkCli.main(new ProbeCostBenchmark(), args);
    }

    @Override
    public Integer call() throws IOException {
        BenchmarkCli.atLeast(spec, 0, "--warmup");
        BenchmarkCli.atLeast(spec, 1, "--rounds");
        NativeBackend.configure();
        PrintStream log = System.err;
        BenchmarkResults results = new BenchmarkResults(System.out);
        int stepCount = warmup + 4 * rounds;
        RunSettings config = minibatches.settings(stepCount, List.of("probe.enabled=true"));
        List<DataSet> batches = BenchmarkMinibatches.load(config, stepCount, log);
        ProbeSettings settings = config.probes();
        ProbeSettings.Ics ics = settings.ics();
        ProbeSettings.Landscape landscape = settings.landscape();
        ProbeSettings.Activations activations = settings.activations();
        ProbeSchedule always = ProbeSchedule.every(1);
        StepObserver plain = StepObserver.withProbes(settings, List.of());
        StepObserver icsOnly = StepObserver.withProbes(settings, List.<Probe>of(new GradientShiftProbe(
                new ProbeSettings.Ics(true, always, List.of(), ics.vectors(), ics.chunkSize()))));
        StepObserver landscapeOnly = StepObserver.withProbes(settings, List.<Probe>of(new LandscapeProbe(
                new ProbeSettings.Landscape(true, always, landscape.points(), landscape.minMultiplier(), landscape.maxMultiplier()))));
        StepObserver activationsOnly = StepObserver.withProbes(settings, List.<Probe>of(new ActivationProbe(
                new ProbeSettings.Activations(true, always, List.of(), activations.units(), activations.sampleSize()))));

        MultiLayerNetwork net = Networks.build(config, variant);
        java.nio.file.Path scratch = Files.createTempDirectory("bnscope-probe-bench");
        StagedSnapshotWriter sink = new StagedSnapshotWriter(new SnapshotLayout(new Path(scratch.toUri())), 0, new bnscope.core.grid.GridCell(variant, 0.1, 1), 0, 0,
                new Configuration());
        ObservedSteps steps = new ObservedSteps(net, sink, variant);
        int s = 0;
        for (; s < warmup; s++) {
            steps.untimed(plain, batches.get(s));
        }
        for (int r = 0; r < rounds; r++) {
            steps.timed("plain", plain, batches.get(s++));
            steps.timed("ics", icsOnly, batches.get(s++));
            steps.timed("landscape", landscapeOnly, batches.get(s++));
            steps.timed("activations", activationsOnly, batches.get(s++));
        }
        long t0 = System.nanoTime();
        sink.close();
        double closeMs = (System.nanoTime() - t0) / 1e6;
        double stepMs = steps.medianFitMs();
        double icsMs = steps.medianAfterMs("ics");
        double landscapeMs = steps.medianAfterMs("landscape");
        double activationsMs = steps.medianAfterMs("activations");
        String p = "probe_cost." + variant.label() + ".";
        results.put(p + "step_ms", stepMs);
        results.put(p + "plain_after_ms", steps.medianAfterMs("plain"));
        results.put(p + "ics_ms", icsMs);
        results.put(p + "ics_steps", icsMs / stepMs);
        results.put(p + "ics_vectors", String.valueOf(ics.vectors()));
        results.put(p + "landscape_ms", landscapeMs);
        results.put(p + "landscape_steps", landscapeMs / stepMs);
        results.put(p + "landscape_points", landscape.points());
        results.put(p + "activations_ms", activationsMs);
        results.put(p + "activations_steps", activationsMs / stepMs);
        results.put(p + "activations_sample_size", activations.sampleSize());
        results.put(p + "rounds", rounds);
        results.put(p + "sink_close_ms", closeMs);
        log.printf("probe cost: step %.0f ms, ics %.0f ms (%.2f steps), landscape %.0f ms (%.2f steps), activations %.0f ms (%.2f steps)%n",
                stepMs, icsMs, icsMs / stepMs, landscapeMs, landscapeMs / stepMs, activationsMs, activationsMs / stepMs);
        deleteRecursively(scratch);
        return 0;
    }

    private static void deleteRecursively(java.nio.file.Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
