package bnscope.analysis;

import bnscope.core.BadInputException;

import java.util.List;

/**
 * Choices the analysis makes that the tables do not fix.
 *
 * @param smoothingWindow     rows in the trailing moving average of the training curves (curves table)
 * @param vectorTolerance     largest accepted relative difference between the ICS scalars recomputed in
 *                            SQL from the stored G/G' vectors and the executors' scalars
 * @param report              whether {@link AnalyzeJob} also writes the HTML report after the metric tables
 * @param gradientShiftLayers the layers shown in the Fig. 3 section (the paper plots VGG #5 and #10);
 *                            each is clipped to the nearest layer the run recorded
 * @param distributionLayer   the layer whose input distribution the Fig. 1/2 sections show; null picks
 *                            the middle of the recorded layers
 */
public record AnalyzeOptions(int smoothingWindow, double vectorTolerance, boolean report,
                             List<Integer> gradientShiftLayers, Integer distributionLayer) {
    public static final int DEFAULT_SMOOTHING_WINDOW = 20;
    public static final double DEFAULT_VECTOR_TOLERANCE = 1e-4;

    public AnalyzeOptions {
        if (smoothingWindow < 1) {
            throw new BadInputException("analysis smoothing window must be at least 1 row, got " + smoothingWindow + ".");
        }
        if (!(vectorTolerance >= 0)) {
            throw new BadInputException("ICS vector check tolerance must be a non-negative number, got " + vectorTolerance + ".");
        }
        gradientShiftLayers = List.copyOf(gradientShiftLayers);
        if (gradientShiftLayers.isEmpty()) {
            throw new BadInputException("At least one layer must be chosen for the gradient-shift (Fig. 3) section.");
        }
    }

    public static AnalyzeOptions defaults() {
        return new AnalyzeOptions(DEFAULT_SMOOTHING_WINDOW, DEFAULT_VECTOR_TOLERANCE, true, List.of(5, 10), null);
    }

    public AnalyzeOptions withSmoothingWindow(int rows) {
        return new AnalyzeOptions(rows, vectorTolerance, report, gradientShiftLayers, distributionLayer);
    }

    public AnalyzeOptions withReport(boolean write) {
        return new AnalyzeOptions(smoothingWindow, vectorTolerance, write, gradientShiftLayers, distributionLayer);
    }

    public AnalyzeOptions withGradientShiftLayers(List<Integer> layers) {
        return new AnalyzeOptions(smoothingWindow, vectorTolerance, report, layers, distributionLayer);
    }
}
