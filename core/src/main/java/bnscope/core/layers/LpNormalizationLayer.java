package bnscope.core.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;

import static bnscope.core.layers.LpNormalizationParamInitializer.BETA;
import static bnscope.core.layers.LpNormalizationParamInitializer.GAMMA;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_MEAN;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_NORM;

/**
 * The running {@link LpNormalization} layer: the DL4J side of ℓp normalization. All statistics are
 * per unit over the rows of a [m, units] matrix; convolutional input is first laid out as rows (one
 * row per (n,h,w) position). The arithmetic, forward and backward with its formulas, is
 * {@link LpNormalizationKernel}'s, for every input size: this class reads the input once into a
 * Java array, lets the kernel compute, and writes the result once into an array of the input's
 * data type in the right workspace.
 *
 * <p>Backpropagation differentiates the training-mode function; μ and N are recomputed from the
 * stored input rather than cached, so the pass does not depend on workspace lifetimes. The
 * running-statistic "gradient" entries are {@code (1−decay)·(running − batch)}, which the SGD step
 * turns into {@code running = decay·running + (1−decay)·batch} (see {@link RunningStatistics}).
 */
public class LpNormalizationLayer extends BaseLayer<LpNormalization> {

    public LpNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.NORMALIZATION;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        // running statistics receive ready-made moving-average updates, not batch-summed gradients
        return !RunningStatistics.isLpNormalizationStatistic(paramName);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        LpNormalization conf = layerConf();
        INDArray rows = toRows(input);
        int m = Math.toIntExact(rows.rows());
        int units = Math.toIntExact(rows.columns());
        double[] x = rowMajorValues(rows);
        LpNormalizationKernel kernel = new LpNormalizationKernel(conf.getNorm(), conf.getEps());
        LpNormalizationKernel.Statistics stats = training
                ? kernel.statistics(x, m, units)
                : new LpNormalizationKernel.Statistics(unitValues(RUNNING_MEAN),
                        unitValues(RUNNING_NORM));
        kernel.normalize(x, m, units, stats, unitValues(GAMMA), unitValues(BETA), x);
        return shapedLikeInput(x, input.dataType(), ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        LpNormalization conf = layerConf();
        INDArray rows = toRows(input);
        int m = Math.toIntExact(rows.rows());
        int units = Math.toIntExact(rows.columns());
        double[] x = rowMajorValues(rows);
        double[] g = rowMajorValues(toRows(epsilon));
        double[] dGamma = new double[units];
        double[] dBeta = new double[units];
        LpNormalizationKernel kernel = new LpNormalizationKernel(conf.getNorm(), conf.getEps());
        // ∂L/∂x overwrites g: each entry of g is read only to produce the same entry of ∂L/∂x
        LpNormalizationKernel.Statistics batch =
                kernel.backward(x, g, m, units, unitValues(GAMMA), g, dGamma, dBeta);

        double keep = 1.0 - conf.getDecay();
        double[] runningMean = unitValues(RUNNING_MEAN);
        double[] runningNorm = unitValues(RUNNING_NORM);
        double[] meanUpdate = new double[units];
        double[] normUpdate = new double[units];
        for (int j = 0; j < units; j++) {
            // the SGD step w -= update turns these into running = decay·running + (1−decay)·batch
            meanUpdate[j] = (runningMean[j] - batch.mean()[j]) * keep;
            normUpdate[j] = (runningNorm[j] - batch.norm()[j]) * keep;
        }
        putUnits(gradientViews.get(GAMMA), dGamma);
        putUnits(gradientViews.get(BETA), dBeta);
        putUnits(gradientViews.get(RUNNING_MEAN), meanUpdate);
        putUnits(gradientViews.get(RUNNING_NORM), normUpdate);

        Gradient gradient = new DefaultGradient();
        for (String key : LpNormalizationParamInitializer.KEYS) {
            gradient.setGradientFor(key, gradientViews.get(key));
        }
        INDArray epsOut = shapedLikeInput(g, input.dataType(), ArrayType.ACTIVATION_GRAD, workspaceMgr);
        return new Pair<>(gradient, backpropDropOutIfPresent(epsOut));
    }

    /** N_j of each column: ((1/m) Σ_i |x_ij|^p)^{1/p}, or max_i |x_ij| for p = ∞; shape [1, units]. */
    static INDArray batchNorm(INDArray rows, LpNormalization.Norm norm) {
        int units = Math.toIntExact(rows.columns());
        double[] n = new LpNormalizationKernel(norm, 0)
                .statistics(rowMajorValues(rows), Math.toIntExact(rows.rows()), units).norm();
        return Nd4j.createFromArray(n).reshape(1, units).castTo(rows.dataType());
    }

    /** The entries of {@code a} in row-major order, as doubles, whatever its data type. */
    private static double[] rowMajorValues(INDArray a) {
        // a view with an offset or strides is copied first; the buffer then starts at entry 0
        INDArray c = a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
        int n = Math.toIntExact(c.length());
        double[] values = new double[n];
        DataBuffer data = c.data();
        if (c.dataType() == DataType.FLOAT) {
            FloatBuffer floats = data.asNioFloat();
            for (int k = 0; k < n; k++) {
                values[k] = floats.get(k);
            }
        } else if (c.dataType() == DataType.DOUBLE) {
            data.asNioDouble().get(0, values);
        } else {
            System.arraycopy(data.asDouble(), 0, values, 0, n);
        }
        return values;
    }

    /** Writes {@code values} (row-major) into the fresh c-order array {@code out}. */
    private static void putRowMajor(INDArray out, double[] values) {
        DataBuffer data = out.data();
        if (out.dataType() == DataType.FLOAT) {
            FloatBuffer floats = data.asNioFloat();
            for (int k = 0; k < values.length; k++) {
                floats.put(k, (float) values[k]);
            }
        } else if (out.dataType() == DataType.DOUBLE) {
            data.asNioDouble().put(0, values);
        } else {
            data.setData(values);
        }
    }

    /**
     * A new array of {@code type}, shaped like the input, holding {@code rowValues} ([m, units],
     * row-major, laid back out by {@link #fromRows} for rank-4 input), in the {@code arrayType} workspace.
     */
    private INDArray shapedLikeInput(double[] rowValues, DataType type, ArrayType arrayType,
                                     LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() == 2) {
            INDArray out = workspaceMgr.createUninitialized(arrayType, type, input.shape(), 'c');
            putRowMajor(out, rowValues);
            return out;
        }
        long channels = layerConf().getCnn2dFormat() == CNN2DFormat.NHWC ? input.size(3) : input.size(1);
        INDArray rows = Nd4j.createUninitialized(type, new long[]{rowValues.length / channels, channels}, 'c');
        putRowMajor(rows, rowValues);
        return workspaceMgr.leverageTo(arrayType, fromRows(rows, input));
    }

    /** The values of a [1, units] parameter view. */
    private double[] unitValues(String paramKey) {
        INDArray view = getParam(paramKey);
        double[] values = new double[Math.toIntExact(view.length())];
        for (int j = 0; j < values.length; j++) {
            values[j] = view.getDouble(j);
        }
        return values;
    }

    /** Writes one value per unit into a [1, units] parameter-gradient view. */
    private static void putUnits(INDArray view, double[] values) {
        for (int j = 0; j < values.length; j++) {
            view.putScalar(j, values[j]);
        }
    }

    /** [n,units] as is; [n,c,h,w] (or [n,h,w,c]) as [n·h·w, c] rows. */
    private INDArray toRows(INDArray a) {
        if (a.rank() == 2) {
            return a;
        }
        if (a.rank() != 4) {
            throw new IllegalStateException("LpNormalization expects rank 2 or 4 input, got shape "
                    + Arrays.toString(a.shape()) + " " + layerId());
        }
        INDArray nhwc = layerConf().getCnn2dFormat() == CNN2DFormat.NHWC ? a : a.permute(0, 2, 3, 1);
        long channels = nhwc.size(3);
        return nhwc.dup('c').reshape('c', nhwc.length() / channels, channels);
    }

    /** Inverse of {@link #toRows} for an array shaped like {@code like}. */
    private INDArray fromRows(INDArray rows, INDArray like) {
        if (like.rank() == 2) {
            return rows;
        }
        boolean nhwcFormat = layerConf().getCnn2dFormat() == CNN2DFormat.NHWC;
        long n = like.size(0);
        long c = nhwcFormat ? like.size(3) : like.size(1);
        long h = nhwcFormat ? like.size(1) : like.size(2);
        long w = nhwcFormat ? like.size(2) : like.size(3);
        INDArray nhwc = rows.reshape('c', n, h, w, c);
        return nhwcFormat ? nhwc : nhwc.permute(0, 3, 1, 2).dup('c');
    }

    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("LpNormalization is trained by backpropagation only");
    }
}
