package bnscope.bench;

import bnscope.core.models.Variant;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code --variants}, the model variants a benchmark trains: a picocli mixin, declared once for the benchmarks that share it. */
final class VariantsOption {
    @Option(names = "--variants", paramLabel = "V", split = ",", defaultValue = "standard,batchnorm,noisy-batchnorm",
            description = "variants to train, comma-separated (default: ${DEFAULT-VALUE})")
    List<Variant> list;
}
