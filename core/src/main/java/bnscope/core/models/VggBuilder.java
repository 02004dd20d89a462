package bnscope.core.models;

import bnscope.core.BadInputException;
import bnscope.core.layers.DistributionShift;
import bnscope.core.layers.ConvBackward;
import bnscope.core.layers.NoiseGenerator;
import bnscope.core.layers.NoisyBatchNorm;
import bnscope.core.layers.ChannelsLastToDense;
import bnscope.core.layers.FusedConvolution;
import bnscope.core.layers.FusedRelu;
import bnscope.core.layers.ToChannelsLast;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The paper's VGG-style CIFAR-10 classifier (Section 2, Appendix A), as a DL4J configuration.
 *
 * <p>The stack is a spec string such as {@code "64,64,M,128,128,M"}: a number is a 3×3 convolution
 * (stride 1, padding 1) with that many output channels, {@code M} a 2×2 max-pool with stride 2. Then come
 * the hidden dense layers and a 10-way softmax output with cross-entropy loss. Input is 32×32×3, NCHW.
 * Training setup as in the paper: Glorot init (DL4J {@code XAVIER}: N(0, 2/(fan_in+fan_out))), zero
 * biases, plain SGD with a fixed learning rate (no momentum, no weight decay), float32.
 *
 * <p><b>Layer layout.</b> Every conv/dense layer but the output forms a block named after it
 * ("conv3_1": third pooling stage, first conv; "dense1", ...). The {@link Variant} decides the block:
 * <pre>
 *   standard          conv(ReLU)
 *   batchnorm         conv(identity)  BatchNormalization  ActivationLayer(ReLU)
 *   noisy-batchnorm   conv(identity)  BatchNormalization  NoisyBatchNorm  ActivationLayer(ReLU)
 *   l1 / l2 / linf    conv(identity)  LpNormalization(p)  ActivationLayer(ReLU)
 * </pre>
 * so the normalization sits between the linear map and its non-linearity, as in the paper (with
 * {@code model.implementation = fused} the conv is {@code FusedConvolution}, BatchNorm
 * {@code FusedBatchNormalization} and the ReLU layer {@code FusedRelu}: subclasses computing the same). Layers after
 * the weight layer are named "conv3_1/bn", "conv3_1/noise", "conv3_1/relu"; pools are "pool1", ...;
 * the output layer is "output". DL4J layer indices therefore differ between variants: use
 * {@link bnscope.core.probes.WeightLayers} to map the paper's "weight layer #k" to an index.
 *
 * <p>BatchNorm is DL4J's {@link BatchNormalization} with its defaults ({@link #BATCHNORM_DECAY},
 * {@link #BATCHNORM_EPS}): batch statistics in training, running averages at evaluation. Its
 * NoisyBatchNorm layers all use the network seed; the layer index makes their noise differ.
 */
public final class VggBuilder {
    public static final String VGG16 = "vgg16";
    public static final String VGG_MINI = "vgg-mini";
    public static final int CLASSES = 10;
    public static final int IMAGE_SIZE = 32;
    public static final int CHANNELS = 3;
    /** DL4J's BatchNormalization defaults, used unchanged: running = decay·running + (1−decay)·batch. */
    public static final double BATCHNORM_DECAY = NormalizationLayers.BATCHNORM_DECAY;
    public static final double BATCHNORM_EPS = NormalizationLayers.BATCHNORM_EPS;

    private static final String POOL = "M";

    private final String convSpec;
    private final List<String> stack;
    private final int[] denseHidden;
    private Variant variant = Variant.STANDARD;
    private Implementation implementation = Implementation.FUSED;
    private ConvBackward convBackward = ConvBackward.AUTO;
    private double learningRate = 0.1;
    private long seed;
    private DistributionShift.Parameters noise = new DistributionShift.Parameters(NoisyBatchNorm.DEFAULT_N_MU,
            NoisyBatchNorm.DEFAULT_N_SIGMA, NoisyBatchNorm.DEFAULT_R_MU, NoisyBatchNorm.DEFAULT_R_SIGMA,
            NoiseGenerator.SPLITMIX);

    private VggBuilder(String convSpec, int[] denseHidden) {
        this.convSpec = convSpec;
        this.stack = parse(convSpec);
        this.denseHidden = denseHidden.clone();
        for (int h : denseHidden) {
            if (h < 1) {
                throw new BadInputException("VGG dense hidden sizes " + Arrays.toString(denseHidden)
                        + " must all be positive. Fix the model's dense sizes.");
            }
        }
    }

    /**
     * A named architecture: {@value #VGG16} (13 convs 64,64,M,128,128,M,256×3,M,512×3,M,512×3,M; dense
     * 512, 512; output 10) or {@value #VGG_MINI} (16,16,M,32,32,M,64,64,M; dense 128; output 10).
     */
    public static VggBuilder preset(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case VGG16 -> of("64,64,M,128,128,M,256,256,256,M,512,512,512,M,512,512,512,M", 512, 512);
            case VGG_MINI -> of("16,16,M,32,32,M,64,64,M", 128);
            default -> throw new BadInputException("Unknown VGG architecture '" + name + "'. Valid names are: "
                    + VGG16 + ", " + VGG_MINI + ". Set the model key of the run configuration to one of them.");
        };
    }

    /** A custom stack: conv spec (numbers and M, comma-separated) and hidden dense sizes. */
    public static VggBuilder of(String convSpec, int... denseHidden) {
        return new VggBuilder(convSpec, denseHidden);
    }

    public VggBuilder variant(Variant variant) {
        this.variant = variant;
        return this;
    }

    /** How the layers run; {@link Implementation#FUSED} by default (same function either way). */
    public VggBuilder implementation(Implementation implementation) {
        this.implementation = java.util.Objects.requireNonNull(implementation, "implementation");
        return this;
    }

    /** How a fused convolution's backward pass runs; {@link ConvBackward#AUTO} by default (same gradients up to rounding). */
    public VggBuilder convBackward(ConvBackward convBackward) {
        this.convBackward = java.util.Objects.requireNonNull(convBackward, "convBackward");
        return this;
    }

    public VggBuilder learningRate(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new BadInputException("Learning rate " + learningRate + " must be a finite number > 0 "
                    + "(the paper uses 0.1, 0.5 and 0.01). Fix the learning rate of the run configuration.");
        }
        this.learningRate = learningRate;
        return this;
    }

    /** Seed of weight initialization and of the NoisyBatchNorm noise; record it with the run. */
    public VggBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Noise magnitudes for {@link Variant#NOISY_BATCHNORM} (default: the paper's values). */
    public VggBuilder noise(DistributionShift.Parameters noise) {
        this.noise = noise;
        return this;
    }

    public String convSpec() {
        return convSpec;
    }

    public int[] denseHidden() {
        return denseHidden.clone();
    }

    public MultiLayerConfiguration build() {
        boolean fused = implementation == Implementation.FUSED;
        // Channels-last through the conv stack (the layout oneDNN's convolutions run in: no reorder
        // between layers); FusedConvolution keeps each conv's forward output for its backprop instead
        // of running the forward convolution a second time.
        CNN2DFormat format = fused ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .biasInit(0)
                .updater(new Sgd(learningRate))
                .list();
        Activation weightActivation = variant.normalizes() ? Activation.IDENTITY : Activation.RELU;
        int stage = 1;
        int convInStage = 0;
        int channels = CHANNELS;
        for (String token : stack) {
            if (token.equals(POOL)) {
                list.layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(format).name("pool" + stage).build());
                stage++;
                convInStage = 0;
            } else {
                String name = "conv" + stage + "_" + (++convInStage);
                channels = Integer.parseInt(token);
                ConvolutionLayer.Builder conv = fused ? new FusedConvolution.Builder(3, 3).backward(convBackward)
                        : new ConvolutionLayer.Builder(3, 3);
                list.layer(conv.stride(1, 1).padding(1, 1).dataFormat(format)
                        .nOut(channels).activation(weightActivation).name(name).build());
                addBlockTail(list, name);
            }
        }
        if (fused) {
            int side = IMAGE_SIZE >> (stage - 1);
            list.inputPreProcessor(0, new ToChannelsLast());
            list.inputPreProcessor(layerCount(list), ChannelsLastToDense.of(
                    (InputType.InputTypeConvolutional) InputType.convolutional(side, side, channels, CNN2DFormat.NHWC)));
        }
        for (int k = 0; k < denseHidden.length; k++) {
            String name = "dense" + (k + 1);
            list.layer(new DenseLayer.Builder().nOut(denseHidden[k]).activation(weightActivation).name(name).build());
            addBlockTail(list, name);
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                .activation(Activation.SOFTMAX).name("output").build());
        return list.setInputType(InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, CHANNELS)).build();
    }

    private static int layerCount(NeuralNetConfiguration.ListBuilder list) {
        return list.getLayerwise().size();
    }

    /** Normalization (per variant) and ReLU after a weight layer; the standard net has ReLU inside it. */
    private void addBlockTail(NeuralNetConfiguration.ListBuilder list, String name) {
        if (!variant.normalizes()) {
            return;
        }
        for (Layer norm : normalization(name)) {
            list.layer(norm);
        }
        ActivationLayer.Builder relu = implementation == Implementation.FUSED ? new FusedRelu.Builder() : new ActivationLayer.Builder();
        list.layer(relu.activation(Activation.RELU).name(name + "/relu").build());
    }

    private List<Layer> normalization(String name) {
        return NormalizationLayers.after(variant, name, seed, noise, implementation);
    }

    private static List<String> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw badSpec(spec, "it is empty");
        }
        List<String> tokens = new ArrayList<>();
        int pools = 0;
        boolean anyConv = false;
        for (String raw : spec.split(",")) {
            String token = raw.trim();
            if (token.equalsIgnoreCase(POOL)) {
                tokens.add(POOL);
                pools++;
                continue;
            }
            int channels;
            try {
                channels = Integer.parseInt(token);
            } catch (NumberFormatException e) {
                throw badSpec(spec, "'" + token + "' is neither a channel count nor M");
            }
            if (channels < 1) {
                throw badSpec(spec, "channel count " + channels + " is not positive");
            }
            tokens.add(Integer.toString(channels));
            anyConv = true;
        }
        if (!anyConv) {
            throw badSpec(spec, "it has no convolution");
        }
        if ((IMAGE_SIZE >> pools) < 1) {
            throw badSpec(spec, pools + " poolings shrink a " + IMAGE_SIZE + "-pixel image below one pixel");
        }
        return tokens;
    }

    private static BadInputException badSpec(String spec, String why) {
        return new BadInputException("VGG conv spec '" + spec + "' is invalid: " + why + ". Expected comma-separated "
                + "output channel counts of 3x3 convolutions and M for 2x2 max-pools, e.g. '64,64,M,128,128,M'.");
    }
}
