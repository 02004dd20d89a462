package bnscope.bench;

import java.util.Arrays;

/**
 * Wall times of repeated steps, in milliseconds, and their summary statistics. The median is the
 * headline figure: on a shared machine it is far less sensitive to other processes than the mean.
 */
public record StepTimes(double[] millis) {
    public StepTimes {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no step was timed");
        }
        millis = millis.clone();
    }

    public double median() {
        double[] s = millis.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public double min() {
        return Arrays.stream(millis).min().orElseThrow();
    }

    public double max() {
        return Arrays.stream(millis).max().orElseThrow();
    }

    public double mean() {
        return Arrays.stream(millis).average().orElseThrow();
    }

    public int count() {
        return millis.length;
    }

    /** Images per second at the median step time. */
    public double imagesPerSecond(int batch) {
        return batch * 1000.0 / median();
    }
}
