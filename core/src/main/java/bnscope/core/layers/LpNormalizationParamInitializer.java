package bnscope.core.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out an {@link LpNormalization} layer's parameters in the network's flat vector, in this
 * order, each of length nOut: γ (init 1), β (init 0), running mean (init 0), running norm (init 1).
 * The last two are evaluation statistics, not trainable weights.
 */
public final class LpNormalizationParamInitializer implements ParamInitializer {
    public static final String GAMMA = "gamma";
    public static final String BETA = "beta";
    public static final String RUNNING_MEAN = "runningMean";
    public static final String RUNNING_NORM = "runningNorm";
    public static final List<String> KEYS = List.of(GAMMA, BETA, RUNNING_MEAN, RUNNING_NORM);

    private static final LpNormalizationParamInitializer INSTANCE = new LpNormalizationParamInitializer();

    public static LpNormalizationParamInitializer getInstance() {
        return INSTANCE;
    }

    private LpNormalizationParamInitializer() {
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return KEYS.size() * ((LpNormalization) layer).getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> views = slices(conf, paramsView);
        if (initializeParams) {
            views.get(GAMMA).assign(1.0);
            views.get(BETA).assign(0.0);
            views.get(RUNNING_MEAN).assign(0.0);
            views.get(RUNNING_NORM).assign(1.0);
        }
        for (String key : KEYS) {
            conf.addVariable(key);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return slices(conf, gradientView);
    }

    /** Row-vector views [1, nOut] of each parameter inside the layer's flat view. */
    private static Map<String, INDArray> slices(NeuralNetConfiguration conf, INDArray flat) {
        long n = ((LpNormalization) conf.getLayer()).getNOut();
        INDArray row = flat.rank() == 2 ? flat : flat.reshape(1, flat.length());
        Map<String, INDArray> out = Collections.synchronizedMap(new LinkedHashMap<>());
        for (int k = 0; k < KEYS.size(); k++) {
            out.put(KEYS.get(k), row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(k * n, (k + 1) * n)));
        }
        return out;
    }
}
