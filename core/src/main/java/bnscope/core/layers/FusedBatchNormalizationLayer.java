package bnscope.core.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The running form of {@link FusedBatchNormalization}: DL4J's BatchNormalization layer with its
 * forward and backward passes done by {@link BatchNormKernel} over the activation buffer (NCHW,
 * NHWC or dense [n, units]). Training: batch statistics in one pass, normalization in a second;
 * the statistics are kept for backprop, which also writes DL4J's running-statistic "gradients"
 * {@code (1−decay)·(running − batch)} (or the log-std form) exactly as DL4J's layer does, so the SGD
 * step turns them into the same moving average. Evaluation uses the running statistics. FLOAT
 * networks run {@link FloatBatchNormKernel} (float buffers, blocked sums); DOUBLE ones (numerical
 * gradient checks) the double {@link BatchNormKernel}. Other
 * configurations (locked γ/β, rank-3 input) run DL4J's own code.
 */
public class FusedBatchNormalizationLayer extends BatchNormalization {
    private static final double ONE_ON_2LOGE_10 = 1.0 / (2.0 * Math.log(10.0));
    private final BatchNormKernel kernel = new BatchNormKernel();
    /** Batch statistics of the last training forward pass and the input they were taken from. */
    private BatchNormKernel.Statistics forwardStatistics;
    private INDArray forwardInput;
    /** The input of that pass as doubles (reused by backprop) and a scratch buffer; kept across steps. */
    private double[] inputValues;
    private double[] scratch;
    /** The same for FLOAT networks ({@link FloatBatchNormKernel}). */
    private float[] inputFloats;
    private float[] scratchFloats;

    public FusedBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean supported(INDArray x) {
        return !layerConf().isLockGammaBeta() && (x.rank() == 2 || x.rank() == 4)
                && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE);
    }

    @Override
    public LayerHelper getHelper() {
        return kernel;
    }

    private BatchNormKernel.Layout layout(INDArray x) {
        int n = Math.toIntExact(x.size(0));
        if (x.rank() == 2) {
            return new BatchNormKernel.Layout(n, Math.toIntExact(x.size(1)), 1);
        }
        if (layerConf().getCnn2DFormat() == CNN2DFormat.NHWC) {
            return new BatchNormKernel.Layout(Math.toIntExact(n * x.size(1) * x.size(2)), Math.toIntExact(x.size(3)), 1);
        }
        return new BatchNormKernel.Layout(n, Math.toIntExact(x.size(1)), Math.toIntExact(x.size(2) * x.size(3)));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return preOutput(input, training ? TrainingMode.TRAIN : TrainingMode.TEST, workspaceMgr);
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        forwardStatistics = null;
        forwardInput = null;
        if (!supported(x)) {
            return super.preOutput(x, training, workspaceMgr);
        }
        BatchNormKernel.Layout l = layout(x);
        if (l.units() != layerConf().getNOut()) {
            throw new IllegalArgumentException("BatchNorm layer " + layerId() + " expects " + layerConf().getNOut()
                    + " units, got input of shape " + java.util.Arrays.toString(x.shape()));
        }
        INDArray in = x.castTo(dataType);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, in.shape(), 'c');
        double[] gamma = row(getParam(BatchNormalizationParamInitializer.GAMMA));
        double[] beta = row(getParam(BatchNormalizationParamInitializer.BETA));
        BatchNormKernel.Statistics stats;
        if (dataType == DataType.FLOAT) { // the float kernel: half the bytes per pass, no conversion passes
            inputFloats = ArrayValues.readFloats(in, inputFloats);
            stats = training == TrainingMode.TRAIN ? FloatBatchNormKernel.statistics(inputFloats, l) : runningStatistics();
            scratchFloats = scratchFloats != null && scratchFloats.length >= inputFloats.length ? scratchFloats
                    : new float[inputFloats.length];
            FloatBatchNormKernel.normalize(inputFloats, l, stats, gamma, beta, layerConf().getEps(), scratchFloats);
            ArrayValues.writeFloats(scratchFloats, out);
        } else {
            inputValues = ArrayValues.read(in, inputValues);
            stats = training == TrainingMode.TRAIN ? kernel.statistics(inputValues, l) : runningStatistics();
            scratch = scratch != null && scratch.length >= inputValues.length ? scratch : new double[inputValues.length];
            kernel.normalize(inputValues, l, stats, gamma, beta, layerConf().getEps(), scratch);
            ArrayValues.write(scratch, out);
        }
        if (training == TrainingMode.TRAIN) {
            forwardStatistics = stats;
            forwardInput = x;
        }
        return out;
    }

    private BatchNormKernel.Statistics runningStatistics() {
        double[] mean = row(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] variance;
        if (layerConf().isUseLogStd()) {
            double[] log10Std = row(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            variance = new double[log10Std.length];
            for (int j = 0; j < variance.length; j++) {
                double std = Math.pow(10, log10Std[j]);
                variance[j] = std * std;
            }
        } else {
            variance = row(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
        return new BatchNormKernel.Statistics(mean, variance);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!supported(input)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        BatchNormKernel.Layout l = layout(input);
        // Backprop differentiates the training-mode function: with the forward's input copy and
        // statistics when that pass was a training pass on this very input, else recomputed.
        boolean cached = forwardStatistics != null && forwardInput == input;
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        double[] gamma = row(getParam(BatchNormalizationParamInitializer.GAMMA));
        double[] dGamma = new double[l.units()];
        double[] dBeta = new double[l.units()];
        BatchNormKernel.Statistics stats;
        if (dataType == DataType.FLOAT) {
            float[] x = cached ? inputFloats : ArrayValues.readFloats(input.castTo(dataType), null);
            stats = cached ? forwardStatistics : FloatBatchNormKernel.statistics(x, l);
            scratchFloats = ArrayValues.readFloats(epsilon.castTo(dataType), scratchFloats);
            FloatBatchNormKernel.backward(x, scratchFloats, l, stats, gamma, layerConf().getEps(), dGamma, dBeta);
            ArrayValues.writeFloats(scratchFloats, dx);
        } else {
            double[] x = cached ? inputValues : ArrayValues.read(input.castTo(dataType), null);
            stats = cached ? forwardStatistics : kernel.statistics(x, l);
            scratch = ArrayValues.read(epsilon.castTo(dataType), scratch);
            kernel.backward(x, scratch, l, stats, gamma, layerConf().getEps(), scratch, dGamma, dBeta);
            ArrayValues.write(scratch, dx);
        }

        Gradient gradient = new DefaultGradient();
        INDArray gammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray betaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        put(gammaView, dGamma);
        put(betaView, dBeta);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, gammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, betaView);
        runningStatisticUpdates(stats, gradient);
        forwardStatistics = null;
        forwardInput = null;
        return new Pair<>(gradient, dx);
    }

    /** DL4J's running-statistic "gradients": the SGD step (NoOp updater) subtracts them from the running values. */
    private void runningStatisticUpdates(BatchNormKernel.Statistics batch, Gradient gradient) {
        double decay = layerConf().getDecay();
        double[] globalMean = row(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        INDArray meanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        double[] dMean = new double[globalMean.length];
        for (int j = 0; j < dMean.length; j++) {
            dMean[j] = (globalMean[j] - batch.mean()[j]) * (1 - decay);
        }
        put(meanView, dMean);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, meanView);
        if (layerConf().isUseLogStd()) {
            double[] log10Std = row(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            INDArray view = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            double[] d = new double[log10Std.length];
            for (int j = 0; j < d.length; j++) {
                double std = Math.pow(10, log10Std[j]);
                double variance = std * std;
                double next = variance * decay + batch.variance()[j] * (1 - decay);
                d[j] = Math.log(variance / next) * ONE_ON_2LOGE_10;
            }
            put(view, d);
            gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, view);
        } else {
            double[] globalVar = row(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
            INDArray view = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            double[] d = new double[globalVar.length];
            for (int j = 0; j < d.length; j++) {
                d[j] = (globalVar[j] - batch.variance()[j]) * (1 - decay);
            }
            put(view, d);
            gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, view);
        }
    }

    private static double[] row(INDArray a) {
        return a.dup().data().asDouble();
    }

    private static void put(INDArray view, double[] values) {
        for (int j = 0; j < values.length; j++) {
            view.putScalar(j, values[j]);
        }
    }

    @Override
    public void clear() {
        super.clear();
        forwardStatistics = null;
        forwardInput = null;
    }
}
