package bnscope.core.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static bnscope.core.data.CifarBinaryFormat.CHANNELS;
import static bnscope.core.data.CifarBinaryFormat.CLASSES;
import static bnscope.core.data.CifarBinaryFormat.HEIGHT;
import static bnscope.core.data.CifarBinaryFormat.IMAGE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.PLANE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.WIDTH;

/**
 * Turns raw CIFAR-10 records into a DL4J {@link DataSet}: features NCHW float32 [n,3,32,32]
 * normalized per channel as {@code (x/255 - mean_c)/std_c}, labels one-hot float32 [n,10]. Row i of
 * both is record i of the input, so minibatch order is kept.
 */
public final class CifarDataSetConverter {
    private final ChannelStatistics statistics;
    /** Normalized value of each byte 0-255 per channel: one table lookup per pixel. */
    private final float[][] table = new float[CHANNELS][256];

    public CifarDataSetConverter(ChannelStatistics statistics) {
        this.statistics = statistics;
        for (int c = 0; c < CHANNELS; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = (float) statistics.normalize(c, v);
            }
        }
    }

    public ChannelStatistics statistics() {
        return statistics;
    }

    public DataSet toDataSet(CifarRecords records) {
        int n = records.size();
        if (n == 0) {
            throw new IllegalArgumentException("no records to convert");
        }
        byte[] pixels = records.pixelBytes();
        float[] features = new float[n * IMAGE_BYTES];
        // The file's plane order (R, G, B, each row-major) is NCHW already: index i maps to i.
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < CHANNELS; c++) {
                float[] lookup = table[c];
                int start = i * IMAGE_BYTES + c * PLANE_BYTES;
                for (int p = start; p < start + PLANE_BYTES; p++) {
                    features[p] = lookup[pixels[p] & 0xFF];
                }
            }
        }
        float[] labels = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            labels[i * CLASSES + records.label(i)] = 1f;
        }
        return new DataSet(
                Nd4j.create(features, new long[]{n, CHANNELS, HEIGHT, WIDTH}, DataType.FLOAT),
                Nd4j.create(labels, new long[]{n, CLASSES}, DataType.FLOAT));
    }
}
