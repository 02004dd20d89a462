package bnscope.core.theory;

/** The few vector operations the checks need, in plain double precision. */
final class Vectors {
    private Vectors() {
    }

    static double dot(double[] a, double[] b) {
        requireSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }

    static double normSquared(double[] a) {
        return dot(a, a);
    }

    /** a + t·b, a new array. */
    static double[] plusScaled(double[] a, double t, double[] b) {
        requireSameLength(a, b);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + t * b[i];
        }
        return out;
    }

    static double[] scaled(double t, double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = t * a[i];
        }
        return out;
    }

    static void requireSameLength(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector lengths differ: " + a.length + " vs " + b.length);
        }
    }
}
