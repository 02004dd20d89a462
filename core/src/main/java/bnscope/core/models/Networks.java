package bnscope.core.models;

import bnscope.core.config.RunConfig;
import bnscope.core.layers.DistributionShift;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the network a run config asks for (VGG preset or custom stack, or the deep linear network)
 * in a given variant, initialized from the run seed, so every variant of a run starts from the same
 * seed. Also states the choices the paper leaves open, for the manifest.
 */
public final class Networks {
    private Networks() {
    }

    public static MultiLayerConfiguration configuration(RunConfig config, Variant variant) {
        long seed = config.getLong("run.seed");
        double lr = config.getDouble("train.learning_rate");
        Implementation implementation = Implementation.fromName(config.getString("model.implementation"));
        if ("dln".equals(config.getString("model.kind"))) {
            return DeepLinearNetwork.builder().depth(config.getInt("dln.depth")).width(config.getInt("dln.width"))
                    .normalization(variant).implementation(implementation).learningRate(lr).seed(seed).configuration();
        }
        VggBuilder builder = VggBuilder.preset(config.getString("model.preset"));
        String stack = config.getString("model.conv_stack");
        List<Integer> dense = config.getList("model.dense");
        if (!stack.isBlank() || !dense.isEmpty()) {
            builder = VggBuilder.of(stack.isBlank() ? builder.convSpec() : stack,
                    dense.isEmpty() ? builder.denseHidden() : dense.stream().mapToInt(Integer::intValue).toArray());
        }
        return builder.variant(variant).implementation(implementation).learningRate(lr).seed(seed)
                .noise(new DistributionShift.Parameters(config.getDouble("noise.n_mu"), config.getDouble("noise.n_sigma"),
                        config.getDouble("noise.r_mu"), config.getDouble("noise.r_sigma")))
                .build();
    }

    public static MultiLayerNetwork build(RunConfig config, Variant variant) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(config, variant));
        net.init();
        return net;
    }

    /** The protocol choices the paper leaves open, as this run makes them (recorded in the manifest). */
    public static Map<String, Object> decisions(RunConfig config) {
        Map<String, Object> d = new LinkedHashMap<>();
        if ("dln".equals(config.getString("model.kind"))) {
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
