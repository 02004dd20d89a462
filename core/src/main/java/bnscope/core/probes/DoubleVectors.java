package bnscope.core.probes;

/** Norms and inner products of double vectors, accumulated in double (probe metrics are reported in double precision). */
final class DoubleVectors {
    private DoubleVectors() {
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double dot(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double diffNorm(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** cos(a, b); NaN when either norm is 0. */
    static double cosine(double dot, double normA, double normB) {
        return normA == 0 || normB == 0 ? Double.NaN : dot / (normA * normB);
    }
}
