package bnscope.core.data;

import static bnscope.core.data.CifarBinaryFormat.IMAGE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.PLANE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.WIDTH;

/**
 * Raw bytes of some CIFAR-10 records, in the order they were asked for: one label (already checked
 * to be 0-9) and 3,072 unsigned pixel bytes (R plane, G plane, B plane) per record. Kept as bytes
 * until {@link CifarDataSetConverter} normalizes them, so a minibatch costs 3 KB per image in memory.
 */
public final class CifarRecords {
    private final byte[] labels;
    private final byte[] pixels;

    /** Takes ownership of the arrays: {@code pixels.length == labels.length * 3072}. */
    CifarRecords(byte[] labels, byte[] pixels) {
        if ((long) labels.length * IMAGE_BYTES != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixel bytes");
        }
        this.labels = labels;
        this.pixels = pixels;
    }

    public int size() {
        return labels.length;
    }

    public int label(int record) {
        return labels[record];
    }

    /** Unsigned pixel value 0-255. */
    public int pixel(int record, int channel, int row, int column) {
        return pixels[record * IMAGE_BYTES + channel * PLANE_BYTES + row * WIDTH + column] & 0xFF;
    }

    /** A copy of one record's 3,072 image bytes in file order. */
    public byte[] imageBytes(int record) {
        byte[] out = new byte[IMAGE_BYTES];
        System.arraycopy(pixels, record * IMAGE_BYTES, out, 0, IMAGE_BYTES);
        return out;
    }

    /** Raw pixel bytes of all records, record after record; not a copy (for the converter). */
    byte[] pixelBytes() {
        return pixels;
    }
}
