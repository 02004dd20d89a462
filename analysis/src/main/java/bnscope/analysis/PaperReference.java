package bnscope.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers and claims of Santurkar et al. 2018 that the report sets beside ours, as recorded in
 * the project's docs/paper-protocol.md (values read off the paper's figures are approximate).
 */
public final class PaperReference {
    private PaperReference() {
    }

    public static final String STANDARD = "standard";
    public static final String BATCHNORM = "batchnorm";
    public static final String NOISY = "noisy-batchnorm";

    /** VGG test accuracy the paper reports (Section 1 / Fig. 1). */
    public static final Map<String, Double> TEST_ACCURACY = Map.of(BATCHNORM, 0.83, STANDARD, 0.80);

    /** Training-accuracy read-offs at a number of steps, for one learning rate and figure. */
    public record ReadOffs(String figure, double learningRate, Map<String, Map<Integer, Double>> accuracy, String note) {
    }

    private static Map<Integer, Double> at(int[] steps, double[] values) {
        Map<Integer, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < steps.length; i++) {
            m.put(steps[i], values[i]);
        }
        return m;
    }

    /** Fig. 1 at lr 0.1 and 0.5, Fig. 2 (noisy BN) at the paper's default lr 0.1. */
    public static final List<ReadOffs> TRAIN_ACCURACY = List.of(
            new ReadOffs("Fig. 1", 0.1, Map.of(
                    STANDARD, at(new int[]{1000, 2000, 5000}, new double[]{0.49, 0.77, 0.96}),
                    BATCHNORM, at(new int[]{1000, 2000, 5000}, new double[]{0.83, 0.94, 0.99})), ""),
            new ReadOffs("Fig. 1", 0.5, Map.of(
                    STANDARD, at(new int[]{1000, 2000, 5000}, new double[]{0.10, 0.10, 0.10}),
                    BATCHNORM, at(new int[]{1000, 2000, 5000}, new double[]{0.66, 0.85, 0.96})), "the standard net does not train at lr 0.5"),
            new ReadOffs("Fig. 2", 0.1, Map.of(
                    NOISY, at(new int[]{500, 1000, 2000, 5000}, new double[]{0.69, 0.77, 0.88, 0.98}),
                    BATCHNORM, at(new int[]{500, 1000, 2000, 5000}, new double[]{0.72, 0.83, 0.94, 0.99})), ""));

    /** The steps at which the report reads off training accuracy. */
    public static final List<Integer> READ_OFF_STEPS = List.of(500, 1000, 2000, 5000);

    /** Fig. 4, first 3k steps, upper edges of the bands read off the paper. */
    public static final int LANDSCAPE_WINDOW_STEPS = 3000;
    public static final String LANDSCAPE_LOSS_UPPER = "loss upper edge ~2.1–2.7 with BN; ~4.9, spikes to ~9.7, without";
    public static final String LANDSCAPE_GRAD_UPPER = "gradient-difference upper edge ~18–28 with BN; ~57–86 without";
    public static final String LANDSCAPE_CLAIM = "with BatchNorm both bands are much narrower early in training, and the effective β-smoothness is lower";

    public static final String ICS_CLAIM = "BatchNorm does not bring G and G' closer: ‖G−G'‖ is not smaller and cos(G,G') is similar or lower "
            + "with BN (VGG layers #5 and #10 at lr 0.1 and 0.01; DLN layers #9 and #17). G' = G at layer 1 by definition.";
    public static final String NOISY_CLAIM = "noisy BN trains almost as well as BN and far better than no BN, although its layer-input "
            + "distributions move more than the standard net's";
    public static final String MOMENTS_CLAIM = "noisy BN's layer-input mean and variance change more from step to step than the standard "
            + "net's (the injected shift), yet it trains like BN";
    public static final String THEORY_CLAIM = "Fact C.1 and Theorems 4.1 (1/m form) and 4.2 hold to rounding; the printed 1/√m form of "
            + "Theorem 4.1 (thm41_printed) is violated on random inputs";
}
