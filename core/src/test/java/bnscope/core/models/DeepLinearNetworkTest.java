package bnscope.core.models;

import bnscope.core.data.LinearRegressionData;

import bnscope.core.BadInputException;
import bnscope.core.NumericalGradient;
import bnscope.core.layers.LpNormalizationLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

class DeepLinearNetworkTest {

    @Test
    void dataIsReproducibleAndLinear() {
        LinearRegressionData d1 = LinearRegressionData.generate(42);
        LinearRegressionData d2 = LinearRegressionData.generate(42);
        LinearRegressionData other = LinearRegressionData.generate(43);
        assertEquals(1000, d1.samples());
        assertEquals(10, d1.dimension());
        assertArrayEquals(d1.a()[3], d2.a()[3]);
        assertArrayEquals(d1.inputs()[999], d2.inputs()[999]);
        assertNotEquals(d1.a()[0][0], other.a()[0][0]);

        DataSet ds = d1.toDataSet(DataType.DOUBLE);
        INDArray a = Nd4j.createFromArray(d1.a());
        // labels are y = A x per example row: Y = X Aᵀ
        INDArray expected = ds.getFeatures().mmul(a.transpose());
        assertEquals(0.0, expected.sub(ds.getLabels()).amaxNumber().doubleValue(), 1e-12);
        // x ~ N(0, I): sample moments of 10,000 draws are close to 0 and 1
        double[][] x = d1.inputs();
        double sum = 0;
        double sumSq = 0;
        for (double[] row : x) {
            for (double v : row) {
                sum += v;
                sumSq += v * v;
            }
        }
        assertEquals(0.0, sum / 10_000, 0.05);
        assertEquals(1.0, sumSq / 10_000, 0.05);
    }

    /**
     * ∂L/∂W_i in DL4J's orientation (activations are rows, h_i = h_{i−1} W_i), for
     * L = Σ_examples ‖X W_1⋯W_k − Y‖²: ∂L/∂W_i = 2 (X W_1⋯W_{i−1})ᵀ E (W_{i+1}⋯W_k)ᵀ, E = X W_1⋯W_k − Y.
     * This is the paper's (W_k…W_{i+1})ᵀ E (W_{i−1}…W_1 X)ᵀ transposed, with the 2 of the square.
     */
    private static INDArray closedFormGradient(INDArray[] w, INDArray x, INDArray y, int i) {
        int width = (int) w[0].rows();
        INDArray before = Nd4j.eye(width).castTo(DataType.DOUBLE);
        for (int j = 0; j < i; j++) {
            before = before.mmul(w[j]);
        }
        INDArray after = Nd4j.eye(width).castTo(DataType.DOUBLE);
        for (int j = i + 1; j < w.length; j++) {
            after = after.mmul(w[j]);
        }
        INDArray all = before.mmul(w[i]).mmul(after);
        INDArray error = x.mmul(all).sub(y);
        return x.mmul(before).transpose().mmul(error).mmul(after.transpose()).muli(2.0);
    }

    @Test
    void gradientScoreAndStepMatchTheClosedForm() {
        DeepLinearNetwork dln = DeepLinearNetwork.builder().seed(5).dataType(DataType.DOUBLE).learningRate(1e-6).build();
        MultiLayerNetwork net = dln.network();
        assertEquals(26, net.getnLayers(), "25 dense layers and the loss layer");
        DataSet ds = LinearRegressionData.generate(6).toDataSet(DataType.DOUBLE);
        INDArray[] w = new INDArray[25];
        for (int k = 1; k <= 25; k++) {
            w[k - 1] = net.getLayer(dln.layerIndexOfWeight(k)).getParam("W").dup();
            assertArrayEquals(new long[]{10, 10}, w[k - 1].shape());
        }
        assertEquals(1, net.getLayer(0).paramTable().size(), "no bias");

        INDArray all = Nd4j.eye(10).castTo(DataType.DOUBLE);
        for (INDArray wi : w) {
            all = all.mmul(wi);
        }
        double expectedLoss = ds.getFeatures().mmul(all).sub(ds.getLabels()).norm2Number().doubleValue();
        expectedLoss *= expectedLoss;
        assertEquals(expectedLoss, dln.loss(ds), 1e-9 * expectedLoss, "loss is the sum over examples");
        assertEquals(expectedLoss / 1000, net.score(ds, true), 1e-9 * expectedLoss, "DL4J's score is the mean");

        Gradient gradient = net.calculateGradients(ds.getFeatures(), ds.getLabels(), null, null).getFirst();
        INDArray[] raw = new INDArray[25];
        for (int k = 1; k <= 25; k++) {
            raw[k - 1] = gradient.getGradientFor(dln.layerIndexOfWeight(k) + "_W").dup();
            INDArray expected = closedFormGradient(w, ds.getFeatures(), ds.getLabels(), k - 1);
            double err = NumericalGradient.scaledMaxError(NumericalGradient.entries(expected),
                    NumericalGradient.entries(raw[k - 1]));
            assertTrue(err < 1e-9, "layer " + k + " scaled error " + err);
        }

        net.fit(ds);
        for (int k = 1; k <= 25; k++) {
            INDArray now = net.getLayer(dln.layerIndexOfWeight(k)).getParam("W");
            INDArray expected = w[k - 1].sub(raw[k - 1].mul(1e-6));
            assertEquals(0.0, now.sub(expected).amaxNumber().doubleValue(), 1e-15,
                    "layer " + k + ": step must be W - lr*grad with no division by the batch size");
        }
    }

    @Test
    void standardNetworkLearnsAtThePaperLearningRate() {
        DeepLinearNetwork dln = DeepLinearNetwork.builder().seed(1).build();
        DataSet ds = LinearRegressionData.generate(2).toDataSet(DataType.FLOAT);
        MultiLayerNetwork net = dln.network();
        double before = dln.loss(ds);
        for (int step = 0; step < 200; step++) {
            net.fit(ds);
        }
        double after = dln.loss(ds);
        System.out.printf("DLN standard, lr 1e-6, 200 steps: loss %.1f -> %.1f%n", before, after);
        assertTrue(after < 0.9 * before, "loss " + before + " -> " + after);
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"STANDARD", "BATCHNORM", "L1", "L2", "LINF"})
    void everyVariantPlacesNormalizationBetweenWeightLayersAndTrains(Variant n) {
        DeepLinearNetwork dln = DeepLinearNetwork.builder().depth(6).normalization(n).seed(3).learningRate(1e-5).build();
        MultiLayerNetwork net = dln.network();
        boolean normalized = n != Variant.STANDARD;
        assertEquals(normalized ? 6 + 5 + 1 : 6 + 1, net.getnLayers());
        for (int k = 1; k <= 6; k++) {
            Layer weight = net.getLayer(dln.layerIndexOfWeight(k));
            assertInstanceOf(org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class, weight);
            if (normalized && k < 6) {
                Layer next = net.getLayer(dln.layerIndexOfWeight(k) + 1);
                Class<?> expected = n == Variant.BATCHNORM
                        ? BatchNormalization.class : LpNormalizationLayer.class;
                assertInstanceOf(expected, next, "after weight layer " + k);
            }
        }
        assertEquals(n, Variant.fromName(n.label()));

        DataSet ds = LinearRegressionData.generate(4).toDataSet(DataType.FLOAT);
        double before = dln.loss(ds);
        for (int step = 0; step < 30; step++) {
            net.fit(ds);
        }
        double after = dln.loss(ds);
        System.out.printf("DLN depth 6 %s, lr 1e-5, 30 steps: loss %.1f -> %.1f%n", n.label(), before, after);
        assertTrue(after < before, n + ": loss " + before + " -> " + after);
    }

    @Test
    void refusesBadSettings() {
        assertThrows(BadInputException.class, () -> Variant.fromName("layernorm"));
        assertThrows(BadInputException.class, () -> DeepLinearNetwork.builder().normalization(Variant.NOISY_BATCHNORM));
        assertThrows(BadInputException.class, () -> DeepLinearNetwork.builder().depth(0));
        assertThrows(BadInputException.class, () -> DeepLinearNetwork.builder().learningRate(-1));
        DeepLinearNetwork dln = DeepLinearNetwork.builder().depth(3).build();
        assertThrows(BadInputException.class, () -> dln.layerIndexOfWeight(4));
    }
}
