package bnscope.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * How a benchmark main reports figures: one {@code RESULT key=value} line each on stdout, which
 * scripts/benchmark.sh collects (everything else the JVM prints is log). Keys are dotted names
 * such as {@code jvm.fast.batchnorm.median_ms}; {@link BenchmarkReport} turns them into BENCHMARKS.md.
 */
public final class BenchmarkResults {
    private final PrintStream out;

    public BenchmarkResults(PrintStream out) {
        this.out = out;
    }

    public void put(String key, double value) {
        out.println("RESULT " + key + "=" + String.format(Locale.ROOT, "%.6g", value));
        out.flush();
    }

    public void put(String key, long value) {
        out.println("RESULT " + key + "=" + value);
        out.flush();
    }

    public void put(String key, String value) {
        out.println("RESULT " + key + "=" + value.replace('\n', ' '));
        out.flush();
    }

    public void put(String prefix, StepTimes t, int batch) {
        put(prefix + ".median_ms", t.median());
        put(prefix + ".min_ms", t.min());
        put(prefix + ".max_ms", t.max());
        put(prefix + ".mean_ms", t.mean());
        put(prefix + ".steps", t.count());
        put(prefix + ".images_per_s", t.imagesPerSecond(batch));
    }
}
