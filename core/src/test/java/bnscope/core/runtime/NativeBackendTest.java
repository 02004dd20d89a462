package bnscope.core.runtime;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class NativeBackendTest {

    @Test
    void convBatchNormAndPoolingUseOneDnnHelpers() {
        NativeBackend.configure();
        assertEquals("CPU", NativeBackend.backendName());
        assertTrue(NativeBackend.oneDnnAvailable(), "native build without oneDNN was loaded");
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<String, String> helpers = NativeBackend.layerHelpers(net);
        System.out.println("helpers: " + helpers);
        assertEquals(3, helpers.size());
        assertTrue(NativeBackend.allHelpersActive(net), helpers.toString());
    }
}
