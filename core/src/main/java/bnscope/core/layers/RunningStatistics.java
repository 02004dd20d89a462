package bnscope.core.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;

/**
 * Which entries of a network's "gradient" are really running-statistic updates of a normalization
 * layer (DL4J BatchNorm's mean/var/log-std, {@link LpNormalization}'s running mean/norm). Every
 * gradient metric must leave them out, and probes must restore them if they change them.
 */
public final class RunningStatistics {
    private RunningStatistics() {
    }

    /** True when {@code paramKey} of {@code layer} is a running statistic, not a trainable weight. */
    public static boolean isStatistic(Layer layer, String paramKey) {
        if (layer instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
            return BatchNormalizationParamInitializer.GLOBAL_MEAN.equals(paramKey)
                    || BatchNormalizationParamInitializer.GLOBAL_VAR.equals(paramKey)
                    || BatchNormalizationParamInitializer.GLOBAL_LOG_STD.equals(paramKey);
        }
        if (layer instanceof LpNormalizationLayer) {
            return isLpNormalizationStatistic(paramKey);
        }
        return false;
    }

    static boolean isLpNormalizationStatistic(String paramKey) {
        return LpNormalizationParamInitializer.RUNNING_MEAN.equals(paramKey)
                || LpNormalizationParamInitializer.RUNNING_NORM.equals(paramKey);
    }
}
