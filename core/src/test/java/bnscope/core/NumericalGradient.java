package bnscope.core;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.DoubleSupplier;

/**
 * Central finite differences of a scalar that depends on the entries of a live array: each entry
 * is moved by ±h in place, the scalar is re-evaluated, and the entry is restored.
 */
public final class NumericalGradient {
    private NumericalGradient() {
    }

    /**
     * d scalar / d target, entry by entry in ND4J's linear index order (the order of
     * {@link #entries}); {@code target} must be a writable double array.
     */
    public static double[] of(INDArray target, DoubleSupplier scalar, double h) {
        double[] out = new double[(int) target.length()];
        for (int k = 0; k < out.length; k++) {
            double original = target.getDouble(k);
            target.putScalar(k, original + h);
            double plus = scalar.getAsDouble();
            target.putScalar(k, original - h);
            double minus = scalar.getAsDouble();
            target.putScalar(k, original);
            out[k] = (plus - minus) / (2 * h);
        }
        return out;
    }

    /** The entries of {@code a} in the linear order {@link #of} uses. */
    public static double[] entries(INDArray a) {
        double[] out = new double[(int) a.length()];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.getDouble(k);
        }
        return out;
    }

    /**
     * max_i |a_i − b_i| / max_i max(|a_i|, |b_i|): the worst entry error relative to the gradient's
     * scale, so tiny entries (where finite-difference rounding dominates) cannot blow it up.
     */
    public static double scaledMaxError(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
        }
        if (scale == 0) {
            throw new IllegalArgumentException("both gradients are zero: the comparison would be empty");
        }
        return worst / scale;
    }
}
