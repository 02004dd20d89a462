package bnscope.core.models;

import bnscope.core.config.ModelSettings;
import bnscope.core.config.RunSettings;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the network a run's settings ask for (VGG preset or custom stack, or the deep linear network)
 * in a given variant, initialized from the run seed, so every variant of a run starts from the same
 * seed. Also states the choices the paper leaves open, for the manifest.
 */
public final class Networks {
    private Networks() {
    }

    public static MultiLayerConfiguration configuration(RunSettings settings, Variant variant) {
        long seed = settings.seed();
        double lr = settings.train().learningRate();
        ModelSettings model = settings.model();
        if (model.isDln()) {
            return DeepLinearNetwork.builder().depth(model.dln().depth()).width(model.dln().width())
                    .normalization(variant).implementation(model.implementation()).learningRate(lr).seed(seed).configuration();
        }
        VggBuilder builder = VggBuilder.preset(model.preset().label());
        String stack = model.convStack();
        List<Integer> dense = model.dense();
        if (!stack.isBlank() || !dense.isEmpty()) {
            builder = VggBuilder.of(stack.isBlank() ? builder.convSpec() : stack,
                    dense.isEmpty() ? builder.denseHidden() : dense.stream().mapToInt(Integer::intValue).toArray());
        }
        return builder.variant(variant).implementation(model.implementation()).convBackward(model.convBackward())
                .learningRate(lr).seed(seed)
                .noise(model.noise().parameters())
                .build();
    }

    public static MultiLayerNetwork build(RunSettings settings, Variant variant) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(settings, variant));
        net.init();
        return net;
    }

    /** The protocol choices the paper leaves open, as this run makes them (recorded in the manifest). */
    public static Map<String, Object> decisions(ModelSettings model) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (model.isDln()) {
            d.put("loss", DeepLinearNetwork.LOSS);
            d.put("step", DeepLinearNetwork.STEP);
            d.put("init", DeepLinearNetwork.INIT);
            d.put("batchnorm_placement", "after every linear layer but the last (not stated by the paper)");
            d.put("parameter_averaging", "each worker steps on its 1/W slice with the summed loss; averaging divides the "
                    + "effective learning rate by W, so paper-dln.conf uses one worker");
        } else {
            d.put("loss", "softmax cross-entropy, mean over the minibatch (DL4J MCXENT)");
            d.put("step", "plain SGD, no momentum, no weight decay: W <- W - lr * mean-loss gradient");
            d.put("init", "Glorot (DL4J XAVIER) from run.seed; biases 0");
            d.put("batchnorm", "DL4J BatchNormalization after each conv/dense but the last, before ReLU; decay "
                    + NormalizationLayers.BATCHNORM_DECAY + ", eps " + NormalizationLayers.BATCHNORM_EPS);
            d.put("noise_placement", "after BatchNorm's gamma/beta; per channel mu_j, sigma_j per step; m, s per element "
                    + "(height and width count as batch); r_sigma is a standard deviation; no noise at evaluation");
            d.put("noise_determinism", "draw = f(run.seed, layer index, global step): every worker draws the same "
                    + "mu_j, sigma_j at a step, as one batch of batch_size would");
            d.put("lp_normalization", "subtract the batch mean per unit, divide by ((1/m) sum |x|^p)^(1/p) of the "
                    + "un-shifted input (max |x| for p = inf), then gamma/beta; running averages at evaluation");
        }
        d.put("gradient_shift", "G and G' are raw minibatch gradients of the weight W; gamma/beta reported separately; "
                + "BatchNorm running statistics never count as gradients");
        return d;
    }
}
