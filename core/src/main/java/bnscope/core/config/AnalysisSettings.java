package bnscope.core.config;

import java.io.Serializable;
import java.util.List;

/**
 * The {@code analysis.*} and {@code report.*} keys.
 *
 * @param smoothingWindow analysis.smoothing_window: trailing moving-average window for training curves
 * @param reportLayers    report.layers: weight layers in the report's gradient-change figure
 */
public record AnalysisSettings(int smoothingWindow, List<Integer> reportLayers) implements Serializable {
    public AnalysisSettings {
        reportLayers = List.copyOf(reportLayers);
    }
}
