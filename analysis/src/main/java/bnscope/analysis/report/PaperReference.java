package bnscope.analysis.report;

import bnscope.core.models.Variant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything the report says about Santurkar et al. 2018 itself: the numbers read off its figures,
 * its settings and its claims, as recorded in docs/paper-protocol.md (values read off the paper's
 * figures are approximate). Sections take the paper's side from here and never spell a paper
 * number themselves, so a corrected read-off is one edit.
 */
public final class PaperReference {
    private PaperReference() {
    }

    public static final String CITATION = "Santurkar et al., \"How Does Batch Normalization Help Optimization?\" (NeurIPS 2018)";

    public static final String STANDARD = Variant.STANDARD.label();
    public static final String BATCHNORM = Variant.BATCHNORM.label();
    public static final String NOISY = Variant.NOISY_BATCHNORM.label();
    /** The ℓp normalizations of Section 4.2 / Appendix A. */
    public static final List<String> LP_NORMS = List.of(Variant.L1.label(), Variant.L2.label(), Variant.LINF.label());

    /** VGG test accuracy the paper reports (Section 1 / Fig. 1), in the paper's order. */
    public static final Map<String, Double> TEST_ACCURACY = ordered(BATCHNORM, 0.83, STANDARD, 0.80);

    /**
     * Training-accuracy read-offs of one figure at one learning rate.
     *
     * @param accuracy variant -> (step -> accuracy), both in the paper's order
     * @param note     what the figure shows beyond the numbers, or ""
     */
    public record ReadOffs(String figure, double learningRate, Map<String, Map<Integer, Double>> accuracy, String note) {
    }

    /** Fig. 1 at lr 0.1 and 0.5, Fig. 2 (noisy BN) at the paper's default lr 0.1. */
    public static final List<ReadOffs> TRAIN_ACCURACY = List.of(
            new ReadOffs("Fig. 1", 0.1, ordered(
                    STANDARD, at(new int[]{1000, 2000, 5000}, new double[]{0.49, 0.77, 0.96}),
                    BATCHNORM, at(new int[]{1000, 2000, 5000}, new double[]{0.83, 0.94, 0.99})), ""),
            new ReadOffs("Fig. 1", 0.5, ordered(
                    STANDARD, at(new int[]{1000, 2000, 5000}, new double[]{0.10, 0.10, 0.10}),
                    BATCHNORM, at(new int[]{1000, 2000, 5000}, new double[]{0.66, 0.85, 0.96})), "the standard net does not train at lr 0.5"),
            new ReadOffs("Fig. 2", 0.1, ordered(
                    NOISY, at(new int[]{500, 1000, 2000, 5000}, new double[]{0.69, 0.77, 0.88, 0.98}),
                    BATCHNORM, at(new int[]{500, 1000, 2000, 5000}, new double[]{0.72, 0.83, 0.94, 0.99})), ""));

    /** The steps at which the report reads off training accuracy. */
    public static final List<Integer> READ_OFF_STEPS = List.of(500, 1000, 2000, 5000);

    /** Fig. 1's point. */
    public static final String FIG1_CLAIM = "BatchNorm trains faster and reaches higher accuracy, while the distributions of both "
            + "nets move comparably";

    /** The noisy BatchNorm of Section 2.1: per-step channel shift and scale, per-sample jitter. */
    public static final String NOISE_SETTINGS = "n_μ = 0.5, n_σ = 1.25, r_μ = r_σ = 0.1";
    public static final String NOISY_CLAIM = "noisy BN trains almost as well as BN and far better than no BN, although its layer-input "
            + "distributions move more than the standard net's";

    public static final String ICS_CLAIM = "BatchNorm does not bring G and G' closer: ‖G−G'‖ is not smaller and cos(G,G') is similar or lower "
            + "with BN (VGG layers #5 and #10 at lr 0.1 and 0.01; DLN layers #9 and #17). G' = G at layer 1 by definition.";

    /** Fig. 4, first 3k steps, upper edges of the bands read off the paper. */
    public static final int LANDSCAPE_WINDOW_STEPS = 3000;
    public static final String LANDSCAPE_LOSS_UPPER = "loss upper edge ~2.1–2.7 with BN; ~4.9, spikes to ~9.7, without";
    public static final String LANDSCAPE_GRAD_UPPER = "gradient-difference upper edge ~18–28 with BN; ~57–86 without";
    public static final String LANDSCAPE_CLAIM = "with BatchNorm both bands are much narrower early in training, and the effective β-smoothness is lower";
    /** The step-size grids of Fig. 4 (VGG) and Fig. 9 (DLN), as multiples of the learning rate. */
    public static final String LANDSCAPE_ETA_GRID = "VGG [0.5, 4] × lr, DLN [0.01, 30] × lr";

    public static final String MOMENTS_CLAIM = "noisy BN's layer-input mean and variance change more from step to step than the standard "
            + "net's (the injected shift), yet it trains like BN";

    public static final String LP_CLAIM = "All ℓp variants match or beat BatchNorm; on the deep linear network ℓ1 does best.";

    public static final String THEORY_CLAIM = "Fact C.1 and Theorems 4.1 (1/m form) and 4.2 hold to rounding; the printed 1/√m form of "
            + "Theorem 4.1 (thm41_printed) is violated on random inputs";
    /** Why thm41_printed fails: the paper's statement has 1/√m where its proof gives 1/m. */
    public static final String THM41_MISPRINT = "Theorem 4.1 as printed in the paper (1/√m on the last term)";
    public static final String THM41_MISPRINT_REASON = "the printed form is a known misprint (‖ŷ‖ = √m)";

    /** The read-offs of one figure, in the order above. */
    public static List<ReadOffs> readOffs(String figure) {
        return TRAIN_ACCURACY.stream().filter(r -> r.figure().equals(figure)).toList();
    }

    /**
     * One figure's read-offs as a sentence, e.g. "lr 0.1: standard ~49/77/96%, batchnorm ~83/94/99%
     * training accuracy at 1k/2k/5k steps".
     */
    public static String readOffSummary(String figure) {
        List<String> parts = new ArrayList<>();
        for (ReadOffs r : readOffs(figure)) {
            List<Integer> steps = new ArrayList<>(r.accuracy().values().iterator().next().keySet());
            String values = r.accuracy().entrySet().stream()
                    .map(e -> e.getKey() + " ~" + e.getValue().values().stream().map(PaperReference::percent).collect(Collectors.joining("/")) + "%")
                    .collect(Collectors.joining(", "));
            parts.add("lr " + r.learningRate() + ": " + values + " training accuracy at "
                    + steps.stream().map(PaperReference::kilo).collect(Collectors.joining("/")) + " steps"
                    + (r.note().isEmpty() ? "" : " (" + r.note() + ")"));
        }
        return String.join("; ", parts);
    }

    /** The paper's test accuracies as a sentence: "test accuracy batchnorm 83%, standard 80%". */
    public static String testAccuracySummary() {
        return "test accuracy " + TEST_ACCURACY.entrySet().stream().map(e -> e.getKey() + " " + percent(e.getValue()) + "%")
                .collect(Collectors.joining(", "));
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f", 100 * fraction);
    }

    private static String kilo(int steps) {
        return steps % 1000 == 0 ? steps / 1000 + "k" : String.format(Locale.ROOT, "%.1fk", steps / 1000.0);
    }

    private static Map<Integer, Double> at(int[] steps, double[] values) {
        Map<Integer, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < steps.length; i++) {
            m.put(steps[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    // Map.of iterates in an order that changes from one JVM to the next: the report's tables would too
    private static <V> Map<String, V> ordered(String k1, V v1, String k2, V v2) {
        Map<String, V> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return Collections.unmodifiableMap(m);
    }
}
