package bnscope.analysis.claims;

import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

import java.util.Collection;
import java.util.Locale;

/**
 * A statistic over the seeds of one grid cell group (variant, learning rate): mean, sample
 * standard deviation and n (commons-math3). With n = 1 the deviation is undefined (NaN) and any
 * comparison is inconclusive.
 */
public record Estimate(double mean, double sd, long n) {
    /** The estimate of the per-seed values (non-finite values make the mean non-finite, as they should). */
    public static Estimate of(Collection<Double> perSeed) {
        SummaryStatistics s = new SummaryStatistics();
        perSeed.forEach(s::addValue);
        return new Estimate(s.getMean(), perSeed.size() > 1 ? s.getStandardDeviation() : Double.NaN, s.getN());
    }

    /** A value to 3 significant digits (scientific below 1e-3 and from 1e5), as the claims table prints numbers. */
    public static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        String s = a == 0 || a >= 1e-3 && a < 1e5 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.2e", v);
        return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** sd / √n, the standard error of the mean (NaN for n = 1). */
    public double standardError() {
        return sd / Math.sqrt(n);
    }

    /** "0.831 ± 0.0120 (n = 3)"; one seed prints "0.831 (n = 1)". */
    public String format() {
        if (n == 0) {
            return "no seeds";
        }
        String m = Double.isFinite(mean) ? number(mean) : (Double.isNaN(mean) ? "NaN (diverged)" : "∞ (diverged)");
        return n > 1 && Double.isFinite(sd) ? String.format(Locale.ROOT, "%s ± %s (n = %d)", m, number(sd), n)
                : String.format(Locale.ROOT, "%s (n = %d)", m, n);
    }
}
