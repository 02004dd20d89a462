package bnscope.core.probes;

import bnscope.core.runtime.NativeBackend;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Random;

/**
 * Networks small enough that their full Hessian can be built, and the reference it is built by:
 * column j is a Richardson-extrapolated central difference of DL4J's own gradient
 * ({@code calculateGradients}) along e_j, (4·D(h/2) − D(h))/3, on a double network — independent of
 * the probe's products (one column at a time, another step, fourth-order accurate) — symmetrized
 * and eigen-decomposed with commons-math3.
 */
final class HessianNets {
    private HessianNets() {
    }

    /** dense(identity) → dense(identity) → output(identity, MSE): a 3-layer linear network, 5 → 4 → 3 → 2. */
    static MultiLayerNetwork linear3(long seed) {
        NativeBackend.configure();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.IDENTITY).build())
                .layer(new DenseLayer.Builder().nOut(3).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        return net;
    }

    /** dense(6 → 5) [→ BatchNorm] → tanh → dense(4, tanh) → softmax output(3). */
    static MultiLayerNetwork mlp(long seed, boolean batchNorm) {
        NativeBackend.configure();
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.IDENTITY).name("dense1").build());
        if (batchNorm) {
            b.layer(new BatchNormalization.Builder().name("bn1").build());
        }
        b.layer(new ActivationLayer.Builder().activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).name("dense2").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    /** n examples of N(0,1) features and either one-hot labels over {@code classes} or N(0,1) targets. */
    static DataSet batch(long seed, int n, int features, int outputs, boolean oneHot) {
        Random random = new Random(seed);
        double[] x = new double[n * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double[] y = new double[n * outputs];
        for (int i = 0; i < n; i++) {
            if (oneHot) {
                y[i * outputs + random.nextInt(outputs)] = 1;
            } else {
                for (int o = 0; o < outputs; o++) {
                    y[i * outputs + o] = random.nextGaussian();
                }
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, features}, 'c'), Nd4j.create(y, new long[]{n, outputs}, 'c'));
    }

    /** The snapshot a probe sees at the network's current parameters, as StepObserver builds it. */
    static StepSnapshot snapshot(MultiLayerNetwork net, DataSet batch, long seed) {
        return new StepSnapshot(net, batch.getFeatures(), batch.getLabels(), ProbeNets.keyOf(net), net.getIterationCount(),
                net.params().dup(), net.params().dup(), null, Double.NaN, 0.1, (int) batch.getFeatures().size(0),
                WeightLayers.of(net), seed);
    }

    /** The full Hessian of the mean minibatch loss over the trainable parameters (reference, see class comment). */
    static double[][] hessian(MultiLayerNetwork net, DataSet batch) {
        MultiLayerNetwork twin = net.clone();
        WeightLayers layers = WeightLayers.of(twin);
        INDArray flat0 = twin.params().dup();
        double[] w0 = LandscapeProbe.trainable(flat0, layers);
        int n = w0.length;
        double[][] h = new double[n][];
        double step = 1e-3;
        for (int j = 0; j < n; j++) {
            double[] d1 = difference(twin, batch, layers, flat0, w0, j, step);
            double[] d2 = difference(twin, batch, layers, flat0, w0, j, step / 2);
            h[j] = new double[n];
            for (int i = 0; i < n; i++) {
                h[j][i] = (4 * d2[i] - d1[i]) / 3;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double s = (h[i][j] + h[j][i]) / 2;
                h[i][j] = s;
                h[j][i] = s;
            }
        }
        twin.setParams(flat0);
        return h;
    }

    /** Eigenvalues of a symmetric matrix, largest first. */
    static double[] eigenvaluesDescending(double[][] m) {
        double[] values = new EigenDecomposition(new Array2DRowRealMatrix(m)).getRealEigenvalues().clone();
        Arrays.sort(values);
        for (int i = 0; i < values.length / 2; i++) {
            double t = values[i];
            values[i] = values[values.length - 1 - i];
            values[values.length - 1 - i] = t;
        }
        return values;
    }

    /** The rows and columns {@code block} selects. */
    static double[][] sub(double[][] m, ParameterBlock block) {
        int[] idx = new int[block.dimension()];
        int at = 0;
        for (int r = 0; r < block.starts().length; r++) {
            for (int d = 0; d < block.lengths()[r]; d++) {
                idx[at++] = block.starts()[r] + d;
            }
        }
        double[][] out = new double[idx.length][idx.length];
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < idx.length; j++) {
                out[i][j] = m[idx[i]][idx[j]];
            }
        }
        return out;
    }

    private static double[] difference(MultiLayerNetwork net, DataSet batch, WeightLayers layers, INDArray flat0, double[] w0,
                                       int j, double h) {
        double[] plus = gradientAt(net, batch, layers, flat0, w0, j, h);
        double[] minus = gradientAt(net, batch, layers, flat0, w0, j, -h);
        double[] d = new double[plus.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (plus[i] - minus[i]) / (2 * h);
        }
        return d;
    }

    /** DL4J's mean-loss gradient (trainable entries) with trainable coordinate j moved by {@code delta}. */
    private static double[] gradientAt(MultiLayerNetwork net, DataSet batch, WeightLayers layers, INDArray flat0, double[] w0,
                                       int j, double delta) {
        INDArray flat = flat0.dup();
        int at = 0;
        for (ParamSlice t : layers.trainable()) {
            if (j < at + t.length()) {
                long index = t.offset() + (j - at);
                flat.putScalar(index, w0[j] + delta);
                break;
            }
            at += (int) t.length();
        }
        net.setParams(flat);
        INDArray g = net.calculateGradients(batch.getFeatures(), batch.getLabels(), null, null).getFirst().gradient();
        double[] out = LandscapeProbe.trainable(g, layers);
        for (int i = 0; i < out.length; i++) {
            out[i] /= batch.getFeatures().size(0);
        }
        return out;
    }
}
