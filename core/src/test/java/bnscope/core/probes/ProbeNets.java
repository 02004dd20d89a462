package bnscope.core.probes;

import bnscope.core.runtime.NativeBackend;
import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.snapshots.StepKey;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

/** Small real networks and seeded random minibatches for the probe tests. */
final class ProbeNets {
    static final double LR = 0.1;

    private ProbeNets() {
    }

    /** conv(3x3,4) → BN → ReLU → maxpool → dense(16) → BN → ReLU → output(10), on 8×8×3 images. */
    static MultiLayerNetwork convBn(DataType type, long seed) {
        NativeBackend.configure();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Sgd(LR)).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).activation(Activation.IDENTITY).name("conv1").build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).name("dense1").build())
                .layer(new BatchNormalization.Builder().name("bn2").build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** dense(12, tanh) → dense(8, tanh) → output(10), on 20 features; no normalization. */
    static MultiLayerNetwork dense(DataType type, long seed) {
        NativeBackend.configure();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Sgd(LR)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(20)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A minibatch of N(0,1) features of {@code shape} and uniformly random one-hot labels over 10 classes. */
    static DataSet batch(DataType type, long seed, long... shape) {
        Random random = new Random(seed);
        int n = (int) shape[0];
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        double[] x = new double[(int) size];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double[] y = new double[n * 10];
        for (int i = 0; i < n; i++) {
            y[i * 10 + random.nextInt(10)] = 1;
        }
        INDArray features = Nd4j.create(x, shape, 'c').castTo(type);
        INDArray labels = Nd4j.create(y, new long[]{n, 10}, 'c').castTo(type);
        return new DataSet(features, labels);
    }

    static DataSet imageBatch(DataType type, long seed, int n, int side) {
        return batch(type, seed, n, 3, side, side);
    }

    static StepKey keyOf(MultiLayerNetwork net) {
        return StepObserver.keyFor("run-test", new bnscope.core.grid.GridCell(bnscope.core.models.Variant.BATCHNORM, 0.1, 1), 0, net.getIterationCount(), 4);
    }

    /** One observed SGD step, as the training hook runs it. */
    static void observedStep(MultiLayerNetwork net, StepObserver observer, DataSet batch, SnapshotSink sink) {
        observer.before(net, batch, keyOf(net));
        net.fit(batch);
        observer.after(net, batch, sink);
    }

    /** Copies the flat slices [0, end) of {@code from} into a copy of {@code into}. */
    static INDArray mixed(INDArray into, INDArray from, long end) {
        INDArray out = into.dup();
        if (end > 0) {
            new ParamSlice(-1, "prefix", 0, end).view(out).assign(new ParamSlice(-1, "prefix", 0, end).view(from));
        }
        return out;
    }
}
