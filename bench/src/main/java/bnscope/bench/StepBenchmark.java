package bnscope.bench;

import bnscope.core.config.RunSettings;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Training step speed of the project's own network in one JVM: for each variant, vgg-mini as the
 * run config builds it ({@link Networks}), trained with {@code net.fit} on the real CIFAR-10
 * minibatches of the run's plan. Times the fast path (DL4J's oneDNN layer helpers on, as bnscope
 * runs) and the out-of-the-box slow path (helpers disabled by DL4J's property, which layers read
 * when they create their helpers), checks which path each network really took, and compares the
 * two paths' losses over the same steps from the same initialization.
 *
 * <p>Options: {@code StepBenchmark --help}; {@code --slow-steps 0} times the fast path only. Prints
 * {@code RESULT} lines ({@link BenchmarkResults}) under the key prefix. Run it with OMP_NUM_THREADS
 * set to the native threads wanted.
 */
@Command(name = "StepBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training step speed of vgg-mini in one JVM: fast (oneDNN helpers) and slow (DL4J built-in) paths.")
public final class StepBenchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    MinibatchOptions minibatches;

    @Mixin
    VariantsOption variants;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "untimed fast-path steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "30", description = "timed fast-path steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--slow-warmup", paramLabel = "N", defaultValue = "2", description = "untimed slow-path steps first (default: ${DEFAULT-VALUE})")
    int slowWarmup;

    @Option(names = "--slow-steps", paramLabel = "N", defaultValue = "8",
            description = "timed slow-path steps; 0 times the fast path only (default: ${DEFAULT-VALUE})")
    int slowSteps;

    @Option(names = "--dl4j-steps", paramLabel = "N", defaultValue = "-1",
            description = "timed steps of DL4J's own layers (model.implementation=dl4j, helpers on: bnscope before issue 15), "
                    + "after the same warm-up; -1 means --steps, 0 skips them (default: ${DEFAULT-VALUE})")
    int dl4jSteps;

    @Option(names = "--nd4j-noise-steps", paramLabel = "N", defaultValue = "-1",
            description = "timed noisy-batchnorm steps with the noise stream before issue 15 (noise.generator=nd4j), "
                    + "after the same warm-up; -1 means --steps, 0 skips them (default: ${DEFAULT-VALUE})")
    int nd4jNoiseSteps;

    @Option(names = "--combined-steps", paramLabel = "N", defaultValue = "-1",
            description = "timed steps of the fast path with libnd4j's one conv2d_bp on every conv (model.conv_backward=combined, "
                    + "before the split backward pass), after the same warm-up; -1 means --steps, 0 skips them (default: ${DEFAULT-VALUE})")
    int combinedSteps;

    @Option(names = "--prefix", paramLabel = "KEY", defaultValue = "jvm", description = "prefix of the RESULT keys (default: ${DEFAULT-VALUE})")
    String prefix;

    public static void main(String[] args) {
        BenchmarkCli.main(new StepBenchmark(), args);
    }

    @Override
    public Integer call() {
        BenchmarkCli.atLeast(spec, 0, "--warmup");
        BenchmarkCli.atLeast(spec, 1, "--steps");
        BenchmarkCli.atLeast(spec, 0, "--slow-warmup", "--slow-steps");
        NativeBackend.configure();
        PrintStream log = System.err;
        BenchmarkResults results = new BenchmarkResults(System.out);
        int batch = minibatches.batch;
        int planned = Math.max(warmup + steps, slowWarmup + slowSteps);
        RunSettings config = minibatches.settings(planned, List.of());
        // DL4J's own layers in NCHW: the out-of-the-box slow path, and the before-issue-15 reference
        RunSettings dl4j = minibatches.settings(planned, List.of("model.implementation=dl4j"));
        int referenceSteps = dl4jSteps < 0 ? steps : dl4jSteps;
        // The fast path with libnd4j's noise generator (other draws, same law): what the noise stream costs
        RunSettings nd4jNoise = minibatches.settings(planned, List.of("noise.generator=nd4j"));
        int nd4jNoiseRuns = nd4jNoiseSteps < 0 ? steps : nd4jNoiseSteps;
        // The fast path with libnd4j's conv2d_bp: what the split convolution backward pass saves
        RunSettings combined = minibatches.settings(planned, List.of("model.conv_backward=combined"));
        int combinedRuns = combinedSteps < 0 ? steps : combinedSteps;
        List<DataSet> batches = BenchmarkMinibatches.load(config, planned, log);
        results.put(prefix + ".omp_num_threads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        results.put(prefix + ".nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        results.put(prefix + ".onednn", String.valueOf(NativeBackend.oneDnnAvailable()));

        for (Variant variant : variants.list) {
            String v = variant.label();
            Run fast = train(config, variant, false, batches, warmup, steps, log);
            results.put(prefix + ".fast." + v, fast.times(), batch);
            results.put(prefix + ".fast." + v + ".helpers", fast.helpersActive() ? "all" : "MISSING " + fast.helpers());
            results.put(prefix + ".fast." + v + ".implementation", config.model().implementation().label());
            results.put(prefix + ".fast." + v + ".conv_backward", config.model().convBackward().label());
            if (combinedRuns > 0) {
                Run before = train(combined, variant, false, batches, warmup, combinedRuns, log);
                results.put(prefix + ".combined." + v, before.times(), batch);
            }
            if (variant == Variant.NOISY_BATCHNORM && nd4jNoiseRuns > 0) {
                Run earlier = train(nd4jNoise, variant, false, batches, warmup, nd4jNoiseRuns, log);
                results.put(prefix + ".nd4j_noise." + v, earlier.times(), batch);
            }
            if (referenceSteps > 0) {
                Run reference = train(dl4j, variant, false, batches, warmup, referenceSteps, log);
                results.put(prefix + ".dl4j." + v, reference.times(), batch);
                results.put(prefix + ".dl4j." + v + ".max_rel_loss_diff", maxRelativeDifference(fast.losses(), reference.losses(),
                        Math.min(fast.losses().length, reference.losses().length)));
            }
            if (slowSteps == 0) {
                continue;
            }
            Run slow = train(dl4j, variant, true, batches, slowWarmup, slowSteps, log);
            results.put(prefix + ".slow." + v, slow.times(), batch);
            results.put(prefix + ".slow." + v + ".helpers", slow.helpersAbsent() ? "none" : "PRESENT " + slow.helpers());
            int compared = Math.min(fast.losses().length, slow.losses().length);
            log.printf("%s losses fast %s%n%s losses slow %s%n", v, java.util.Arrays.toString(fast.losses()), v,
                    java.util.Arrays.toString(slow.losses()));
            String parity = prefix + ".parity." + v + ".";
            results.put(parity + "rel_loss_diff_step0", maxRelativeDifference(fast.losses(), slow.losses(), 1));
            results.put(parity + "max_rel_loss_diff_first3", maxRelativeDifference(fast.losses(), slow.losses(), Math.min(3, compared)));
            results.put(parity + "max_rel_loss_diff", maxRelativeDifference(fast.losses(), slow.losses(), compared));
            results.put(parity + "steps", compared);
            results.put(parity + "same_init", String.valueOf(fast.initialParamsEqualTo(slow)));
        }
        return 0;
    }

    private static double maxRelativeDifference(double[] a, double[] b, int steps) {
        double max = 0;
        for (int s = 0; s < steps; s++) {
            max = Math.max(max, Math.abs(a[s] - b[s]) / Math.max(Math.abs(a[s]), Math.abs(b[s])));
        }
        return max;
    }

    /** One timed training run of a freshly built network. */
    private record Run(StepTimes times, double[] losses, Map<String, String> helpers, INDArray initialParams) {
        boolean helpersActive() {
            return !helpers.isEmpty() && helpers.values().stream().noneMatch("none"::equals);
        }

        boolean helpersAbsent() {
            return !helpers.isEmpty() && helpers.values().stream().allMatch("none"::equals);
        }

        boolean initialParamsEqualTo(Run other) {
            return initialParams.equals(other.initialParams);
        }
    }

    private static Run train(RunSettings config, Variant variant, boolean slowPath, List<DataSet> batches, int warmup, int steps,
                             PrintStream log) {
        String before = System.getProperty(NativeBackend.HELPERS_PROPERTY);
        System.setProperty(NativeBackend.HELPERS_PROPERTY, Boolean.toString(slowPath));
        MultiLayerNetwork net;
        try {
            net = Networks.build(config, variant);
        } finally {
            System.setProperty(NativeBackend.HELPERS_PROPERTY, before == null ? "false" : before);
        }
        Map<String, String> helpers = NativeBackend.layerHelpers(net);
        INDArray initialParams = net.params().dup();
        double[] losses = new double[warmup + steps];
        double[] millis = new double[steps];
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            net.fit(batches.get(s));
            long t1 = System.nanoTime();
            losses[s] = net.score();
            if (s >= warmup) {
                millis[s - warmup] = (t1 - t0) / 1e6;
            }
        }
        StepTimes times = new StepTimes(millis);
        log.printf("%s %s path: median %.1f ms/step (min %.1f, max %.1f) over %d steps; helpers %s%n", variant,
                slowPath ? "slow" : "fast", times.median(), times.min(), times.max(), steps, helpers.values().stream().distinct().toList());
        return new Run(times, losses, helpers, initialParams);
    }
}
