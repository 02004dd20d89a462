package bnscope.jobs;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Console progress for one variant's training: step/total, loss, accuracy, images/s and ETA,
 * printed at most every few seconds (and at the last step) so long runs stay readable.
 */
public final class ProgressReporter {
    private static final long MIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final String variant;
    private final long totalSteps;
    private final int imagesPerStep;
    private final long firstStep;
    private final long startNanos = System.nanoTime();
    private long lastPrint;

    public ProgressReporter(PrintStream out, String variant, long firstStep, long totalSteps, int imagesPerStep) {
        this.out = out;
        this.variant = variant;
        this.firstStep = firstStep;
        this.totalSteps = totalSteps;
        this.imagesPerStep = imagesPerStep;
    }

    /** Reports that {@code stepsDone} steps are complete; {@code testAccuracy} may be NaN. */
    public void update(long stepsDone, double trainLoss, double testAccuracy, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrint < MIN_INTERVAL_NANOS && stepsDone < totalSteps) {
            return;
        }
        lastPrint = now;
        double seconds = (now - startNanos) / 1e9;
        long done = stepsDone - firstStep;
        double stepsPerSecond = done > 0 ? done / seconds : 0;
        String eta = stepsPerSecond > 0 ? format(Duration.ofSeconds((long) ((totalSteps - stepsDone) / stepsPerSecond))) : "?";
        out.printf("[%s] step %d/%d (%3.0f%%)  loss %.4f  test acc %s  %.0f examples/s  elapsed %s  ETA %s%n",
                variant, stepsDone, totalSteps, 100.0 * stepsDone / totalSteps, trainLoss,
                Double.isNaN(testAccuracy) ? "-" : String.format("%.3f", testAccuracy),
                stepsPerSecond * imagesPerStep, format(Duration.ofSeconds((long) seconds)), eta);
        out.flush();
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
