package bnscope.core.data;

import bnscope.core.BadInputException;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static bnscope.core.data.CifarBinaryFormat.CHANNELS;
import static bnscope.core.data.CifarBinaryFormat.IMAGE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.PLANE_BYTES;

/**
 * Per-channel mean and standard deviation of the training pixels, scaled to [0,1], used to
 * normalize inputs as {@code (x/255 - mean_c) / std_c} (the paper trains on CIFAR-10 without
 * augmentation; per-channel standardization is the usual input preprocessing for its VGG).
 * The std is the population std over all training pixels of a channel.
 *
 * <p>{@link #compute} makes one pass over the training files and only counts how often each byte
 * value occurs per channel; the moments follow from those exact integer counts, so the result does
 * not depend on file order or chunking, and is the same on every machine. {@link #toMap()} /
 * {@link #fromMap(Map)} carry it through a JSON run manifest.
 */
public final class ChannelStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Map keys, in the order {@link #toMap()} writes them. */
    public static final List<String> CHANNEL_NAMES = List.of("red", "green", "blue");
    static final String IMAGES_KEY = "images";

    private final double[] mean;
    private final double[] std;
    private final long images;

    public ChannelStatistics(double[] mean, double[] std, long images) {
        if (mean.length != CHANNELS || std.length != CHANNELS) {
            throw new IllegalArgumentException("need " + CHANNELS + " means and stds");
        }
        for (int c = 0; c < CHANNELS; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + CHANNEL_NAMES.get(c) + ": mean " + mean[c]
                        + ", std " + std[c] + " (std must be finite and positive)");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.images = images;
    }

    /** One deterministic pass over {@code trainingFiles} (read in chunks, labels checked on the way). */
    public static ChannelStatistics compute(List<CifarBatchFile> trainingFiles, CifarRecordReader reader) {
        if (trainingFiles.isEmpty()) {
            throw new IllegalArgumentException("no training files to compute channel statistics from");
        }
        long[][] histogram = new long[CHANNELS][256];
        long images = 0;
        for (CifarBatchFile file : trainingFiles) {
            for (int first = 0; first < file.records(); first += CifarRecordReader.SCAN_CHUNK_RECORDS) {
                int n = Math.min(CifarRecordReader.SCAN_CHUNK_RECORDS, file.records() - first);
                byte[] pixels = reader.readRange(file, first, n).pixelBytes();
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < CHANNELS; c++) {
                        long[] h = histogram[c];
                        int start = i * IMAGE_BYTES + c * PLANE_BYTES;
                        for (int p = start; p < start + PLANE_BYTES; p++) {
                            h[pixels[p] & 0xFF]++;
                        }
                    }
                }
                images += n;
            }
        }
        return fromHistogram(histogram, images);
    }

    /** Two-pass moments from exact value counts: mean first, then the mean squared deviation. */
    static ChannelStatistics fromHistogram(long[][] histogram, long images) {
        double[] mean = new double[CHANNELS];
        double[] std = new double[CHANNELS];
        double pixelsPerChannel = (double) images * PLANE_BYTES;
        for (int c = 0; c < CHANNELS; c++) {
            double sum = 0;
            for (int v = 0; v < 256; v++) {
                sum += histogram[c][v] * (v / 255.0);
            }
            mean[c] = sum / pixelsPerChannel;
            double squares = 0;
            for (int v = 0; v < 256; v++) {
                double d = v / 255.0 - mean[c];
                squares += histogram[c][v] * d * d;
            }
            std[c] = Math.sqrt(squares / pixelsPerChannel);
        }
        return new ChannelStatistics(mean, std, images);
    }

    public double mean(int channel) {
        return mean[channel];
    }

    public double std(int channel) {
        return std[channel];
    }

    /** Number of training images the statistics were computed from. */
    public long images() {
        return images;
    }

    /** {@code (value/255 - mean_c) / std_c} for one raw pixel byte. */
    public double normalize(int channel, int rawValue) {
        return (rawValue / 255.0 - mean[channel]) / std[channel];
    }

    /**
     * Flat map for a JSON manifest: {@code mean_red, mean_green, mean_blue, std_red, std_green,
     * std_blue} (doubles) and {@code images} (long).
     */
    public Map<String, Number> toMap() {
        Map<String, Number> map = new LinkedHashMap<>();
        for (int c = 0; c < CHANNELS; c++) {
            map.put("mean_" + CHANNEL_NAMES.get(c), mean[c]);
        }
        for (int c = 0; c < CHANNELS; c++) {
            map.put("std_" + CHANNEL_NAMES.get(c), std[c]);
        }
        map.put(IMAGES_KEY, images);
        return map;
    }

    /** Inverse of {@link #toMap()}; a missing key or a non-positive std is bad input. */
    public static ChannelStatistics fromMap(Map<String, ? extends Number> map) {
        double[] mean = new double[CHANNELS];
        double[] std = new double[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            mean[c] = required(map, "mean_" + CHANNEL_NAMES.get(c)).doubleValue();
            std[c] = required(map, "std_" + CHANNEL_NAMES.get(c)).doubleValue();
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new BadInputException("channel statistics: std_" + CHANNEL_NAMES.get(c) + " = " + std[c]
                        + " and mean_" + CHANNEL_NAMES.get(c) + " = " + mean[c] + ", but a std must be positive and "
                        + "both finite. Recompute the statistics from the training files instead of editing them.");
            }
        }
        return new ChannelStatistics(mean, std, required(map, IMAGES_KEY).longValue());
    }

    private static Number required(Map<String, ? extends Number> map, String key) {
        Number value = map.get(key);
        if (value == null) {
            throw new BadInputException("channel statistics lack the key '" + key + "'; expected keys "
                    + "mean_red, mean_green, mean_blue, std_red, std_green, std_blue and images (as written by "
                    + "ChannelStatistics.toMap). The manifest is incomplete or from another version; recompute "
                    + "the statistics from the training files.");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelStatistics other && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std) && images == other.images;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std) + Long.hashCode(images);
    }

    @Override
    public String toString() {
        return "ChannelStatistics" + toMap();
    }
}
