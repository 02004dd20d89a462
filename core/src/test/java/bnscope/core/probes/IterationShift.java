package bnscope.core.probes;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.params.EmptyParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A test layer whose forward pass depends on the layer's iteration count, like noisy BatchNorm's
 * noise draw: it adds 0.05 × (iteration mod 7) to its input. Probes that recompute step t must
 * reproduce step t's value.
 */
public class IterationShift extends NoParamLayer {

    public IterationShift() {
        super();
    }

    static double shiftAt(int iteration) {
        return 0.05 * (iteration % 7);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray params, boolean initialize, DataType dataType) {
        Impl layer = new Impl(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(params);
        layer.setParamTable(initializer().init(conf, params, initialize));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return new LayerMemoryReport.Builder(layerName, IterationShift.class, inputType, inputType).standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    static final class Impl extends AbstractLayer<IterationShift> {
        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Type type() {
            return Type.FEED_FORWARD;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
            assertInputSet(false);
            return mgr.dup(ArrayType.ACTIVATIONS, input).addi(shiftAt(getIterationCount()));
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
            return new Pair<>(new DefaultGradient(), mgr.dup(ArrayType.ACTIVATION_GRAD, epsilon));
        }

        @Override
        public boolean isPretrainLayer() {
            return false;
        }

        @Override
        public void clearNoiseWeightParams() {
        }

        @Override
        public INDArray params() {
            return null;
        }

        @Override
        public double calcRegularizationScore(boolean backpropParamsOnly) {
            return 0;
        }
    }
}
