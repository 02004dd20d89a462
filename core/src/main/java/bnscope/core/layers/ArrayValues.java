package bnscope.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Bulk copies between a contiguous c-order ND4J array (FLOAT or DOUBLE) and a Java {@code double[]},
 * through the array's native buffer: one memcpy-speed transfer each way, so fused kernels can run
 * plain, JIT-vectorizable loops on heap arrays (indexed access to the native buffer was measured
 * 3-4x slower: a bounds check and a call per element). A float array rounds on write.
 */
final class ArrayValues {
    private ArrayValues() {
    }

    /** The elements of {@code array} in c order, into {@code into} when it is long enough (else a new array). */
    static double[] read(INDArray array, double[] into) {
        INDArray a = contiguous(array);
        int n = Math.toIntExact(a.length());
        double[] out = into != null && into.length >= n ? into : new double[n];
        int offset = Math.toIntExact(a.offset());
        java.nio.ByteBuffer bytes = a.data().asNio().order(ByteOrder.nativeOrder());
        if (a.dataType() == DataType.FLOAT) {
            float[] f = new float[n];
            FloatBuffer fb = bytes.asFloatBuffer();
            fb.position(offset);
            fb.get(f, 0, n);
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
        } else if (a.dataType() == DataType.DOUBLE) {
            DoubleBuffer db = bytes.asDoubleBuffer();
            db.position(offset);
            db.get(out, 0, n);
        } else {
            throw unsupported(a);
        }
        return out;
    }

    /** Writes the first {@code array.length()} values of {@code values} into the contiguous {@code array}. */
    static void write(double[] values, INDArray array) {
        if (!isContiguous(array)) {
            throw new IllegalArgumentException("fused kernels write contiguous c-order arrays only, got shape "
                    + java.util.Arrays.toString(array.shape()) + " strides " + java.util.Arrays.toString(array.stride()));
        }
        int n = Math.toIntExact(array.length());
        int offset = Math.toIntExact(array.offset());
        java.nio.ByteBuffer bytes = array.data().asNio().order(ByteOrder.nativeOrder());
        if (array.dataType() == DataType.FLOAT) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) values[i];
            }
            FloatBuffer fb = bytes.asFloatBuffer();
            fb.position(offset);
            fb.put(f, 0, n);
        } else if (array.dataType() == DataType.DOUBLE) {
            DoubleBuffer db = bytes.asDoubleBuffer();
            db.position(offset);
            db.put(values, 0, n);
        } else {
            throw unsupported(array);
        }
    }

    /** The elements of the FLOAT array {@code array} in c order, into {@code into} when long enough. */
    static float[] readFloats(INDArray array, float[] into) {
        INDArray a = contiguous(array);
        if (a.dataType() != DataType.FLOAT) {
            throw unsupported(a);
        }
        int n = Math.toIntExact(a.length());
        float[] out = into != null && into.length >= n ? into : new float[n];
        FloatBuffer fb = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        fb.position(Math.toIntExact(a.offset()));
        fb.get(out, 0, n);
        return out;
    }

    /** Writes the first {@code array.length()} values of {@code values} into the contiguous FLOAT {@code array}. */
    static void writeFloats(float[] values, INDArray array) {
        if (!isContiguous(array) || array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a contiguous FLOAT array, got " + array.dataType() + " shape "
                    + java.util.Arrays.toString(array.shape()));
        }
        FloatBuffer fb = array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        fb.position(Math.toIntExact(array.offset()));
        fb.put(values, 0, Math.toIntExact(array.length()));
    }

    static boolean isContiguous(INDArray array) {
        return array.ordering() == 'c' && Shape.hasDefaultStridesForShape(array) && !array.isEmpty();
    }

    /** {@code array} itself when contiguous, else a contiguous copy. */
    static INDArray contiguous(INDArray array) {
        return isContiguous(array) ? array : array.dup('c');
    }

    private static IllegalArgumentException unsupported(INDArray a) {
        return new IllegalArgumentException("fused kernels support FLOAT and DOUBLE arrays, got " + a.dataType());
    }
}
