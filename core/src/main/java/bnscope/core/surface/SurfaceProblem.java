package bnscope.core.surface;

import bnscope.core.data.TrainingData;
import bnscope.core.models.Evaluation;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;

/**
 * Everything an executor needs to evaluate surface points of one checkpoint, shipped once per
 * executor (a Spark broadcast): the network's configuration and its parameters θ_N, the two
 * directions, the initial parameters θ₀ for the interpolation line (null without a line), and the
 * recorded sample of the training set (read on the executor from the run's data files).
 */
public final class SurfaceProblem implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String configurationJson;
    private final INDArray centre;
    private final INDArray x;
    private final INDArray y;
    private final INDArray initial;
    private final TrainingData data;
    private final int sampleSize;
    private final long sampleSeed;

    public SurfaceProblem(MultiLayerNetwork checkpoint, FilterNormalizedDirections.Plane plane, INDArray initial,
                          TrainingData data, int sampleSize, long sampleSeed) {
        this.configurationJson = checkpoint.getLayerWiseConfigurations().toJson();
        this.centre = checkpoint.params().dup();
        this.x = plane.x();
        this.y = plane.y();
        this.initial = initial == null ? null : initial.dup();
        this.data = data;
        this.sampleSize = sampleSize;
        this.sampleSeed = sampleSeed;
    }

    /** A fresh network at θ_N (one per task: evaluation overwrites its parameters point by point). */
    public MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        net.init(centre.dup(), false);
        return net;
    }

    /** The recorded training sample, read from the run's data. */
    public DataSet sample() {
        return data.trainingSample(sampleSize, sampleSeed);
    }

    public boolean classification() {
        return data.classification();
    }

    public boolean hasLine() {
        return initial != null;
    }

    /** The parameters at {@code point}: θ_N + αx + βy on the plane, θ₀ + t(θ_N − θ₀) on the line. */
    public INDArray parametersAt(SurfacePoint point) {
        if (point.onLine()) {
            if (initial == null) {
                throw new IllegalStateException("no initial parameters for the interpolation line");
            }
            return initial.add(centre.sub(initial).muli(point.alpha()));
        }
        return centre.add(x.mul(point.alpha())).addi(y.mul(point.beta()));
    }

    /** Loss and accuracy on the sample at {@code point}, evaluated with {@code net} (its parameters are overwritten). */
    public Evaluation.Result evaluate(MultiLayerNetwork net, DataSet sample, SurfacePoint point) {
        net.setParams(parametersAt(point));
        return Evaluation.of(net, sample, data.classification());
    }

    public long parameterCount() {
        return centre.length();
    }
}
