package bnscope.bench;

import bnscope.core.config.RunSettings;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.probes.Probe;
import bnscope.core.probes.ProbeSchedule;
import bnscope.core.probes.ProbeSettings;
import bnscope.core.probes.SharpnessProbe;
import bnscope.core.probes.StepObserver;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.MemorySnapshotSink;
import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The cost of one sharpness probe in training steps, single JVM: vgg-mini (as the config builds it)
 * at the config's batch size on real CIFAR-10 minibatches. Rounds of three observed steps: a plain
 * step, a step with a k = 1 probe (no trace), a step with a k = 5 probe and a Hutchinson trace of
 * {@code --trace-samples} samples (both global only, the config's iterations, tolerance and fd_step).
 * The probe's time is the observer's {@code after()} (double copy, products, residuals, rows,
 * exact restore); the step's time is {@code net.fit}. Medians over the rounds; the products per probe
 * and the measured λ₁ are reported too, so a reader sees what the time bought.
 */
@Command(name = "SharpnessBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The cost of one sharpness probe (k = 1; k = 5 with trace), in training steps (single JVM).")
public final class SharpnessBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MinibatchOptions minibatches;

    @Option(names = "--variant", paramLabel = "V", defaultValue = "batchnorm", description = "model variant (default: ${DEFAULT-VALUE})")
    Variant variant;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "untimed plain steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "timed rounds of a plain, a k = 1 and a k = 5 + trace step (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--trace-samples", paramLabel = "N", defaultValue = "10",
            description = "Hutchinson samples of the k = 5 probe (default: ${DEFAULT-VALUE})")
    int traceSamples;

    public static void main(String[] args) {
        BenchmarkCli.main(new SharpnessBenchmark(), args);
    }

    @Override
    public Integer call() {
        BenchmarkCli.atLeast(spec, 0, "--warmup");
        BenchmarkCli.atLeast(spec, 1, "--rounds");
        BenchmarkCli.atLeast(spec, 1, "--trace-samples");
        NativeBackend.configure();
        PrintStream log = System.err;
        BenchmarkResults results = new BenchmarkResults(System.out);
        int stepCount = warmup + 3 * rounds;
        RunSettings config = minibatches.settings(stepCount, List.of("probe.enabled=true"));
        List<DataSet> batches = BenchmarkMinibatches.load(config, stepCount, log);
        ProbeSettings settings = config.probes();
        ProbeSettings.Sharpness base = settings.sharpness();
        ProbeSchedule always = ProbeSchedule.every(1);
        int iterationsK5 = Math.max(base.iterations(), 5);
        StepObserver plain = StepObserver.withProbes(settings, List.of());
        StepObserver k1 = StepObserver.withProbes(settings, List.<Probe>of(new SharpnessProbe(new ProbeSettings.Sharpness(true, always, 1,
                base.iterations(), base.tolerance(), 0, false, List.of(), base.fdStep()))));
        StepObserver k5 = StepObserver.withProbes(settings, List.<Probe>of(new SharpnessProbe(new ProbeSettings.Sharpness(true, always, 5,
                iterationsK5, base.tolerance(), traceSamples, false, List.of(), base.fdStep()))));

        MultiLayerNetwork net = Networks.build(config, variant);
        MemorySnapshotSink sink = new MemorySnapshotSink();
        ObservedSteps steps = new ObservedSteps(net, sink, variant);
        int s = 0;
        for (; s < warmup; s++) {
            steps.untimed(plain, batches.get(s));
        }
        for (int r = 0; r < rounds; r++) {
            steps.timed("plain", plain, batches.get(s++));
            steps.timed("k1", k1, batches.get(s++));
            steps.timed("k5", k5, batches.get(s++));
            log.printf("sharpness benchmark: round %d of %d done%n", r + 1, rounds);
        }
        List<GenericRecord> rows = sink.rows(SnapshotTables.SHARPNESS);
        double stepMs = steps.medianFitMs();
        double k1Ms = steps.medianAfterMs("k1");
        double k5Ms = steps.medianAfterMs("k5");
        String p = "sharpness." + variant.label() + ".";
        results.put(p + "step_ms", stepMs);
        results.put(p + "plain_after_ms", steps.medianAfterMs("plain"));
        results.put(p + "k1_ms", k1Ms);
        results.put(p + "k1_steps", k1Ms / stepMs);
        results.put(p + "k1_hvps", meanOf(rows, 1, "hvp_count"));
        results.put(p + "k1_lambda1", meanOf(rows, 1, "eigenvalue"));
        results.put(p + "k1_residual", meanOf(rows, 1, "residual"));
        results.put(p + "k5_ms", k5Ms);
        results.put(p + "k5_steps", k5Ms / stepMs);
        results.put(p + "k5_hvps", meanOf(rows, 5, "hvp_count"));
        results.put(p + "k5_trace_samples", traceSamples);
        results.put(p + "iterations", base.iterations());
        results.put(p + "tolerance", base.tolerance());
        results.put(p + "batch", minibatches.batch);
        results.put(p + "rounds", rounds);
        log.printf("sharpness probe: step %.0f ms, k=1 %.0f ms (%.1f steps), k=5 + %d-sample trace %.0f ms (%.1f steps)%n",
                stepMs, k1Ms, k1Ms / stepMs, traceSamples, k5Ms, k5Ms / stepMs);
        return 0;
    }

    /** Mean of {@code column} over the k = 1 rows of the probe runs that measured {@code k} eigenvalues. */
    private static double meanOf(List<GenericRecord> rows, int k, String column) {
        // A k-eigenvalue probe writes rows k = 1..k; its k = 1 row stands for the run. Runs are told
        // apart by whether the same step has a k = 2 row.
        List<Long> multi = rows.stream().filter(r -> (int) r.get("k") == 2).map(r -> (long) r.get("step")).toList();
        return rows.stream()
                .filter(r -> (int) r.get("k") == 1 && (k > 1) == multi.contains((long) r.get("step")))
                .mapToDouble(r -> ((Number) r.get(column)).doubleValue()).average().orElse(Double.NaN);
    }
}
