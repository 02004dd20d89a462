package bnscope.core.theory;

import bnscope.core.probes.DoublePrecisionCopy;
import bnscope.core.probes.NetworkPass;
import bnscope.core.probes.WeightLayer;
import bnscope.core.probes.WeightLayers;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The paper's BatchNorm theory (Fact C.1, Theorem 4.1 exact and as printed, Theorem 4.2) checked on
 * the BatchNorm units of a trained network, on one real minibatch, with every quantity taken from
 * the network itself rather than from a model of it.
 *
 * <p><b>The network checked.</b> A copy of the trained network converted to double precision, with
 * every BatchNormalization layer's ε set to {@link #BATCHNORM_EPS} (1e-100): DL4J normalizes by
 * √(var + ε) with var the population variance of the batch, and var + 1e-100 rounds to var for any
 * var above ~1e-84, so the layer computes exactly the paper's ŷ = (y − μ)/σ with population σ and
 * no ε. (Trained with ε = 1e-5, the network's outputs differ from the checked copy by about
 * ε/(2σ²) relatively; the statements are about BatchNorm without ε.) DL4J's oneDNN helpers support
 * only float32, so the double copy runs DL4J's own Java BatchNorm forward and backward. The layers'
 * iteration counts are pinned to the checkpoint's step, so a noisy-BatchNorm layer after the BN
 * layer repeats one fixed noise draw in every pass (it is then part of the loss L(z)).
 *
 * <p><b>Per BatchNorm layer</b> (a DL4J BatchNormalization after weight layer #k, at index b), on
 * the batch's training-mode forward pass: y = the layer's input (pre-BN activations), z = its
 * output; g = ∂L/∂z is the backprop epsilon entering the BN layer from layer b+1 (a pass started at
 * layer b+1 with input z), DL4J's ∂L/∂y the epsilon its BatchNorm backprop hands down (a pass
 * started at b). L is the loss DL4J differentiates: the sum over the minibatch of the per-example
 * loss (raw gradients are sums). For a conv layer a unit is a channel and m = batch × height × width.
 *
 * <p><b>Theorem 4.2</b> needs ∂L/∂z and ∂L/∂y as functions of one unit's values with everything
 * else fixed: {@link NetworkPass#run} from layer b+1 (resp. b) with that unit's slice of the layer
 * input replaced continues the training-mode forward pass through the rest of the network and
 * backpropagates to the replaced input; central differences of these gradients along G = ∂L/∂y
 * give GᵀHG and GᵀĤG ({@link HessianQuadraticForm}). That is four partial passes per unit, so by
 * default only the first {@link Settings#hessianUnits()} checked units of each layer get it.
 */
public final class LiveBatchNormChecks {
    /** ε of every BatchNorm layer in the checked copy: var + ε = var in double precision. */
    public static final double BATCHNORM_EPS = 1e-100;
    /** Layers with at most this many units are checked in full (the DLN's 10-unit layers). */
    public static final int SMALL_LAYER_UNITS = 16;
    /**
     * Relative finite-difference step for Theorem 4.2: the unit's values move by 1e-5 of their
     * spread (r·σ in y, r·|γ| in z). Measured on vgg-mini checkpoints (docs/theory.md): rounding
     * error grows as ~1e-13/r (median relative error 1e-9 at r = 1e-4, 1e-8 at 1e-5, 1e-7 at 1e-6),
     * while through ReLU and max-pooling a larger step more often straddles a kink, where the
     * difference quotient measures a secant rather than the Hessian (at r = 1e-4 some conv units'
     * GᵀHG already differed from the r = 1e-5 and 1e-6 values; at 1e-3 most did). 1e-5 keeps GᵀHG
     * equal to its r = 1e-6 value to ~1e-7 on every unit without a tie.
     */
    public static final double DEFAULT_HESSIAN_STEP = 1e-5;
    /** How far the BN layer's output may differ from γŷ + β computed here before the copy is distrusted. */
    private static final double OUTPUT_TOLERANCE = 1e-9;

    /**
     * Which units to check.
     *
     * @param units        the first {@code units} units of each BatchNorm layer (all of a layer with
     *                     at most {@link #SMALL_LAYER_UNITS} units)
     * @param hessianUnits of those, how many (the first ones) also get Theorem 4.2
     * @param hessianStep  relative finite-difference step for Theorem 4.2
     */
    public record Settings(int units, int hessianUnits, double hessianStep) {
        public Settings {
            if (units < 1 || hessianUnits < 0 || !(hessianStep > 0) || hessianStep >= 1) {
                throw new IllegalArgumentException("units >= 1, hessianUnits >= 0 and 0 < hessianStep < 1 required, got "
                        + units + ", " + hessianUnits + ", " + hessianStep);
            }
        }

        public static Settings defaults() {
            return new Settings(4, 2, DEFAULT_HESSIAN_STEP);
        }

        /** Number of units checked in a layer of {@code width} units. */
        public int unitsFor(int width) {
            return width <= SMALL_LAYER_UNITS ? width : Math.min(units, width);
        }
    }

    /**
     * A BatchNorm layer of the network.
     *
     * @param layer      number of the weight layer it follows (the paper's "layer #k", 1-based)
     * @param layerName  that weight layer's name, e.g. conv2_1
     * @param dl4jIndex  index of the BatchNormalization layer in the network
     * @param units      its number of units (channels)
     */
    public record BatchNormSite(int layer, String layerName, int dl4jIndex, int units) {
    }

    /** One statement checked on one unit. */
    public record UnitCheck(BatchNormSite site, int unit, int samples, TheoryIdentity identity, IdentityCheck check) {
    }

    /** The checks of one minibatch, and the units that could not be checked, with the reason. */
    public record Outcome(List<UnitCheck> checks, List<String> skipped) {
    }

    private final MultiLayerNetwork net;
    private final List<BatchNormSite> sites;

    /**
     * @param trained the trained network (not modified: a double-precision copy is checked)
     * @param step    the global step the network is at (its checkpoint's step); pins noise draws
     */
    public LiveBatchNormChecks(MultiLayerNetwork trained, int step) {
        this.net = doublePrecisionCopy(trained, step);
        this.sites = sitesOf(net);
    }

    /** The network the checks run on: {@code trained} in double precision, BatchNorm ε = 1e-100, iteration pinned. */
    public static MultiLayerNetwork doublePrecisionCopy(MultiLayerNetwork trained, int step) {
        MultiLayerNetwork copy = DoublePrecisionCopy.of(trained, step);
        for (Layer layer : copy.getLayers()) {
            if (layer instanceof BatchNormalization) {
                ((org.deeplearning4j.nn.conf.layers.BatchNormalization) layer.conf().getLayer()).setEps(BATCHNORM_EPS);
            }
        }
        return copy;
    }

    /** The BatchNorm layers of {@code net}, in order (empty for a network without BatchNorm). */
    public static List<BatchNormSite> sitesOf(MultiLayerNetwork net) {
        List<BatchNormSite> out = new ArrayList<>();
        for (WeightLayer w : WeightLayers.of(net).layers()) {
            if (w.norm() == null || !(net.getLayer(w.norm().dl4jIndex()) instanceof BatchNormalization)) {
                continue;
            }
            int b = w.norm().dl4jIndex();
            long units = ((org.deeplearning4j.nn.conf.layers.BatchNormalization) net.getLayer(b).conf().getLayer()).getNOut();
            out.add(new BatchNormSite(w.number(), w.name(), b, (int) units));
        }
        return out;
    }

    /** An NCHW view of NHWC activations (units on axis 1), or the array itself. */
    private static INDArray unitsFirst(INDArray a, boolean nhwc) {
        return nhwc ? a.permute(0, 3, 1, 2) : a;
    }

    /** The inverse of {@link #unitsFirst}: activations in the network's own layout. */
    private static INDArray inLayout(INDArray unitsFirst, boolean nhwc) {
        return nhwc ? unitsFirst.permute(0, 2, 3, 1).dup('c') : unitsFirst;
    }

    public List<BatchNormSite> sites() {
        return sites;
    }

    /** The double-precision network the checks run on. */
    public MultiLayerNetwork network() {
        return net;
    }

    /** Runs every check on {@code batch} (features and labels of one real minibatch). */
    public Outcome check(DataSet batch, Settings settings) {
        INDArray features = batch.getFeatures().castTo(DataType.DOUBLE);
        INDArray labels = batch.getLabels().castTo(DataType.DOUBLE);
        NetworkPass pass = new NetworkPass(net);
        List<INDArray> inputs = pass.layerInputs(features);
        List<UnitCheck> checks = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (BatchNormSite site : sites) {
            checkLayer(pass, site, inputs.get(site.dl4jIndex()), inputs.get(site.dl4jIndex() + 1), labels, settings,
                    checks, skipped);
        }
        return new Outcome(checks, skipped);
    }

    private void checkLayer(NetworkPass pass, BatchNormSite site, INDArray yAll, INDArray zAll, INDArray labels,
                            Settings settings, List<UnitCheck> checks, List<String> skipped) {
        int b = site.dl4jIndex();
        requireNoPreprocessor(b);
        requireNoPreprocessor(b + 1);
        INDArray dLdyAll = pass.run(b, yAll, labels).inputGradient();
        INDArray gAll = pass.run(b + 1, zAll, labels).inputGradient();
        Layer bn = net.getLayer(b);
        // A channels-last network (model.implementation = fused) has NHWC activations; BatchNormUnit
        // reads units on axis 1, so it sees NCHW views, and arrays fed back to the network are NHWC.
        boolean nhwc = yAll.rank() == 4 && ((org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer())
                .getCnn2DFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        INDArray yUnits = unitsFirst(yAll, nhwc);
        INDArray zUnits = unitsFirst(zAll, nhwc);
        dLdyAll = unitsFirst(dLdyAll, nhwc);
        gAll = unitsFirst(gAll, nhwc);
        INDArray gammas = bn.getParam(BatchNormalizationParamInitializer.GAMMA);
        INDArray betas = bn.getParam(BatchNormalizationParamInitializer.BETA);
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer();

        int count = settings.unitsFor(site.units());
        for (int u = 0; u < count; u++) {
            double gamma = gammas == null ? conf.getGamma() : gammas.getDouble(u);
            double beta = betas == null ? conf.getBeta() : betas.getDouble(u);
            double[] y = BatchNormUnit.unitValues(yUnits, u);
            BatchNormUnit unit;
            try {
                unit = BatchNormUnit.of(y, gamma, beta);
            } catch (IllegalArgumentException constant) {
                skipped.add(site.layerName() + " unit " + u + ": pre-BN activations are constant on this batch (σ = 0)");
                continue;
            }
            requireSameOutput(site, u, unit, BatchNormUnit.unitValues(zUnits, u));
            double[] g = BatchNormUnit.unitValues(gAll, u);
            double[] observed = BatchNormUnit.unitValues(dLdyAll, u);
            int m = unit.size();
            checks.add(new UnitCheck(site, u, m, TheoryIdentity.FACT_C1, BatchNormBackwardCheck.compare(unit, g, observed)));
            checks.add(new UnitCheck(site, u, m, TheoryIdentity.THM41, GradientNormIdentity.exact(unit, g, observed)));
            checks.add(new UnitCheck(site, u, m, TheoryIdentity.THM41_PRINTED, GradientNormIdentity.printed(unit, g, observed)));
            if (u < settings.hessianUnits()) {
                if (Vectors.normSquared(unit.inputGradient(g)) == 0) {
                    skipped.add(site.layerName() + " unit " + u + ": Theorem 4.2 not checked, ∂L/∂y = 0 on this batch "
                            + "(e.g. every value below the ReLU threshold): both sides vanish");
                    continue;
                }
                int unitIndex = u;
                UnaryOperator<double[]> gradientAtZ = zu ->
                        BatchNormUnit.unitValues(unitsFirst(pass.run(b + 1, inLayout(BatchNormUnit.withUnitValues(zUnits,
                                unitIndex, zu), nhwc), labels).inputGradient(), nhwc), unitIndex);
                UnaryOperator<double[]> gradientAtY = yu ->
                        BatchNormUnit.unitValues(unitsFirst(pass.run(b, inLayout(BatchNormUnit.withUnitValues(yUnits,
                                unitIndex, yu), nhwc), labels).inputGradient(), nhwc), unitIndex);
                checks.add(new UnitCheck(site, u, m, TheoryIdentity.THM42,
                        HessianQuadraticForm.check(unit, g, gradientAtZ, gradientAtY, settings.hessianStep())));
            }
        }
    }

    /** The copy must compute the paper's z = γŷ + β (population σ, no ε); anything else is a setup fault. */
    private static void requireSameOutput(BatchNormSite site, int u, BatchNormUnit unit, double[] layerOutput) {
        double[] z = unit.output();
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            worst = Math.max(worst, Math.abs(z[i] - layerOutput[i]));
        }
        double scale = Math.abs(unit.gamma()) + Math.abs(unit.beta());
        if (worst > OUTPUT_TOLERANCE * Math.max(scale, 1e-300)) {
            throw new IllegalStateException("BatchNorm layer " + site.layerName() + " unit " + u + " outputs values up to "
                    + worst + " away from γŷ + β with the population σ: the double-precision copy does not compute "
                    + "BatchNorm without ε (is a layer helper still active?)");
        }
    }

    private void requireNoPreprocessor(int layer) {
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(layer);
        if (pre != null) {
            throw new IllegalStateException("layer " + layer + " has input preprocessor " + pre.getClass().getSimpleName()
                    + "; the theory checks replace BatchNorm inputs and outputs and need them as the layers see them");
        }
    }
}
