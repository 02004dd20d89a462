package bnscope.core.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static bnscope.core.layers.LpNormalizationParamInitializer.BETA;
import static bnscope.core.layers.LpNormalizationParamInitializer.GAMMA;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_MEAN;
import static bnscope.core.layers.LpNormalizationParamInitializer.RUNNING_NORM;

/**
 * The running {@link LpNormalization} layer. All statistics are per unit over the rows of a
 * [m, units] matrix; convolutional input is first laid out as rows (one row per (n,h,w) position).
 *
 * <p>Backward pass, per unit, with D = N + eps, y = (x − μ)/D, dy = γ·g (g = ∂L/∂z):
 * <pre>
 *   ∂L/∂x_k = (1/D) [ dy_k − mean(dy) − ⟨dy, y⟩ · ∂N/∂x_k ]
 *   ∂N/∂x_k = N^{1−p} |x_k|^{p−1} sign(x_k) / m      p = 1: sign(x_k)/m,  p = 2: x_k/(m N)
 *   p = ∞:   ∂N/∂x_k = sign(x_k) at the arg-max of |x| (the first one on ties), 0 elsewhere
 *   ∂L/∂γ = Σ_i g_i y_i,   ∂L/∂β = Σ_i g_i   (sums over the batch, as DL4J expects)
 * </pre>
 * μ and N are recomputed from the stored input rather than cached, so the pass does not depend on
 * workspace lifetimes.
 */
public class LpNormalizationLayer extends BaseLayer<LpNormalization> {
    /** Lower bound for N in ∂N/∂x when p = 2, only reached by an all-zero unit (where y = 0 anyway). */
    private static final double TINY_NORM = 1e-30;

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
        INDArray x = toRows(input);
        INDArray mean;
        INDArray norm;
        if (training) {
            mean = x.mean(true, 0);
            norm = batchNorm(x, conf.getNorm());
        } else {
            mean = getParam(RUNNING_MEAN).castTo(x.dataType());
            norm = getParam(RUNNING_NORM).castTo(x.dataType());
        }
        INDArray divisor = norm.add(conf.getEps());
        INDArray z = x.subRowVector(mean).diviRowVector(divisor)
                .muliRowVector(getParam(GAMMA).castTo(x.dataType()))
                .addiRowVector(getParam(BETA).castTo(x.dataType()));
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, fromRows(z, input));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        LpNormalization conf = layerConf();
        INDArray x = toRows(input);
        INDArray g = toRows(epsilon).castTo(x.dataType());
        long m = x.rows();

        INDArray mean = x.mean(true, 0);
        INDArray norm = batchNorm(x, conf.getNorm());
        INDArray divisor = norm.add(conf.getEps());
        INDArray y = x.subRowVector(mean).diviRowVector(divisor);

        INDArray gamma = getParam(GAMMA).castTo(x.dataType());
        INDArray dGamma = g.mul(y).sum(true, 0);
        INDArray dBeta = g.sum(true, 0);
        INDArray dy = g.mulRowVector(gamma);
        INDArray dyDotY = dy.mul(y).sum(true, 0);
        INDArray dNormDx = normDerivative(x, norm, conf.getNorm(), m);
        INDArray dx = dy.subRowVector(dy.mean(true, 0))
                .subi(dNormDx.muliRowVector(dyDotY))
                .diviRowVector(divisor);

        double keep = 1.0 - conf.getDecay();
        gradientViews.get(GAMMA).assign(dGamma);
        gradientViews.get(BETA).assign(dBeta);
        // statistic updates: the SGD step w -= update turns these into running = decay·running + (1−decay)·batch
        gradientViews.get(RUNNING_MEAN).assign(getParam(RUNNING_MEAN).castTo(x.dataType()).sub(mean).muli(keep));
        gradientViews.get(RUNNING_NORM).assign(getParam(RUNNING_NORM).castTo(x.dataType()).sub(norm).muli(keep));

        Gradient gradient = new DefaultGradient();
        for (String key : LpNormalizationParamInitializer.KEYS) {
            gradient.setGradientFor(key, gradientViews.get(key));
        }
        INDArray epsOut = backpropDropOutIfPresent(fromRows(dx, input));
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsOut));
    }

    /** N_j of each column: ((1/m) Σ_i |x_ij|^p)^{1/p}, or max_i |x_ij| for p = ∞; shape [1, units]. */
    static INDArray batchNorm(INDArray rows, LpNormalization.Norm norm) {
        switch (norm) {
            case L1:
                return Transforms.abs(rows, true).mean(true, 0);
            case L2:
                return Transforms.sqrt(rows.mul(rows).mean(true, 0), false);
            case LINF:
                return Transforms.abs(rows, true).max(true, 0);
            default:
                throw new IllegalStateException("unhandled norm " + norm);
        }
    }

    /** ∂N_j/∂x_ij for every entry; shape [m, units]. */
    private static INDArray normDerivative(INDArray rows, INDArray normRow, LpNormalization.Norm norm, long m) {
        switch (norm) {
            case L1:
                return Transforms.sign(rows, true).divi(m);
            case L2:
                return rows.divRowVector(Transforms.max(normRow, TINY_NORM, true)).divi(m);
            case LINF: {
                INDArray out = Nd4j.zeros(rows.dataType(), rows.shape());
                INDArray argMax = Nd4j.argMax(Transforms.abs(rows, true), 0);
                for (int j = 0; j < rows.columns(); j++) {
                    long i = argMax.getLong(j);
                    out.putScalar(i, j, Math.signum(rows.getDouble(i, j)));
                }
                return out;
            }
            default:
                throw new IllegalStateException("unhandled norm " + norm);
        }
    }

    /** [n,units] as is; [n,c,h,w] (or [n,h,w,c]) as [n·h·w, c] rows. */
    private INDArray toRows(INDArray a) {
        if (a.rank() == 2) {
            return a;
        }
        if (a.rank() != 4) {
            throw new IllegalStateException("LpNormalization expects rank 2 or 4 input, got shape "
                    + java.util.Arrays.toString(a.shape()) + " " + layerId());
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
