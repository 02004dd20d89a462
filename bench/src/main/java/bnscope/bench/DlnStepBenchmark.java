package bnscope.bench;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.data.LinearRegressionData;
import bnscope.core.models.Networks;
import bnscope.core.models.Variant;
import bnscope.core.runtime.NativeBackend;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Step speed of the paper's deep linear network (Section 3: 25 linear 10×10 layers, full batch of
 * 1,000) in one JVM, per variant and per {@code model.implementation}: the DLN's tensors are tiny,
 * so a step is dominated by each op's fixed cost, and a normalization layer's cost shows as the
 * variant's step ÷ the standard network's. Implementations are timed interleaved, round by round,
 * so a change in the machine's load hits both alike.
 *
 * <p>Prints {@code RESULT dln.<implementation>.<variant>.median_ms} (and min, max, mean, steps) and
 * {@code dln.<implementation>.<variant>.over_standard}. Run with OMP_NUM_THREADS=1 (one core).
 */
@Command(name = "DlnStepBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Step speed of the deep linear network (full-batch GD) per variant and implementation, one JVM.")
public final class DlnStepBenchmark implements Callable<Integer> {
    @Option(names = "--conf", paramLabel = "FILE", required = true, description = "a DLN run config (conf/paper-dln.conf)")
    File conf;

    @Option(names = "--variants", paramLabel = "LIST", split = ",", defaultValue = "standard,batchnorm,l1,l2,linf",
            description = "variants to time (default: ${DEFAULT-VALUE})")
    List<Variant> variants;

    @Option(names = "--implementations", paramLabel = "LIST", split = ",", defaultValue = "fused,dl4j",
            description = "model.implementation values to time, interleaved (default: ${DEFAULT-VALUE})")
    List<String> implementations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "50", description = "untimed steps per round (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "timed steps per round (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "interleaved rounds (default: ${DEFAULT-VALUE})")
    int rounds;

    public static void main(String[] args) {
        BenchmarkCli.main(new DlnStepBenchmark(), args);
    }

    @Override
    public Integer call() {
        NativeBackend.configure();
        BenchmarkResults results = new BenchmarkResults(System.out);
        // read every config before any timing: an unknown implementation label is refused up front
        List<RunSettings> settingsOf = implementations.stream()
                .map(label -> RunSettings.from(RunConfig.load(conf, List.of("model.implementation=" + label)))).toList();
        if (!settingsOf.get(0).model().isDln()) {
            throw new BadInputException(conf + " is not a deep linear network config (model.kind must be dln); "
                    + "pass conf/paper-dln.conf.");
        }
        double[][][] times = new double[implementations.size()][variants.size()][rounds * steps]; // step millis
        // the full batch depends only on the seed and the network's size, which no implementation changes
        RunSettings first = settingsOf.get(0);
        DataSet batch = LinearRegressionData.generate(first.seed(), first.model().dln().samples(), first.model().dln().width())
                .toDataSet(DataType.FLOAT);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < implementations.size(); i++) {
                RunSettings settings = settingsOf.get(i);
                for (int v = 0; v < variants.size(); v++) {
                    MultiLayerNetwork net = Networks.build(settings, variants.get(v));
                    for (int s = 0; s < warmup; s++) {
                        net.fit(batch);
                    }
                    double[] into = times[i][v];
                    for (int s = 0; s < steps; s++) {
                        long t0 = System.nanoTime();
                        net.fit(batch);
                        into[round * steps + s] = (System.nanoTime() - t0) / 1e6;
                    }
                    System.err.printf("dln round %d %s %s: median %.2f ms%n", round + 1, implementations.get(i), variants.get(v).label(),
                            new StepTimes(Arrays.copyOfRange(into, round * steps, (round + 1) * steps)).median());
                }
            }
        }
        results.put("dln.rounds", rounds);
        results.put("dln.steps_per_round", steps);
        for (int i = 0; i < implementations.size(); i++) {
            String prefix = "dln." + implementations.get(i) + ".";
            int standard = variants.indexOf(Variant.STANDARD);
            for (int v = 0; v < variants.size(); v++) {
                StepTimes t = new StepTimes(times[i][v]);
                results.put(prefix + variants.get(v).label(), t, first.model().dln().samples());
                if (standard >= 0) {
                    results.put(prefix + variants.get(v).label() + ".over_standard",
                            t.median() / new StepTimes(times[i][standard]).median());
                }
            }
        }
        return 0;
    }
}
