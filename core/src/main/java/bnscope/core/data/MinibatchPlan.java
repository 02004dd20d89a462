package bnscope.core.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The deterministic training order: which records make up each SGD step. The training records of
 * all files form one pool of N records; every epoch visits them in a fresh random permutation, and
 * the steps walk through the epochs' permutations one after the other, {@code batchSize} records at
 * a time. So every minibatch has exactly {@code batchSize} records, a step may straddle two epochs,
 * and each record occurs exactly once per epoch.
 *
 * <p>The permutation of epoch e is a Fisher-Yates shuffle driven by SplitMix64 (implemented here, so
 * the plan does not depend on the JDK's generators) seeded with {@link #epochSeed(long, int)}, a hash
 * of (seed, e) rather than seed+e, so that runs with adjacent seeds do not share epoch orders. The
 * same seed, record counts and batch size always give the same plan, on any machine.
 */
public final class MinibatchPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final int[] recordsPerFile;
    private final long[] fileStarts; // fileStarts[f] = first pool index of file f; last entry = N
    private final int totalRecords;
    private final int batchSize;
    private final int steps;

    // The permutations last used; a step needs at most two (it may straddle an epoch boundary).
    private transient int[][] cachedOrders;
    private transient int[] cachedEpochs;

    /**
     * @param seed           recorded by the caller; the only source of randomness
     * @param recordsPerFile record count of each training file, in training file order
     * @param batchSize      records per step, at most the total record count
     * @param steps          number of steps planned
     */
    public MinibatchPlan(long seed, int[] recordsPerFile, int batchSize, int steps) {
        if (recordsPerFile.length == 0) {
            throw new IllegalArgumentException("no training files");
        }
        this.fileStarts = new long[recordsPerFile.length + 1];
        for (int f = 0; f < recordsPerFile.length; f++) {
            if (recordsPerFile[f] <= 0) {
                throw new IllegalArgumentException("file " + f + " has " + recordsPerFile[f] + " records");
            }
            fileStarts[f + 1] = fileStarts[f] + recordsPerFile[f];
        }
        if (fileStarts[recordsPerFile.length] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many records: " + fileStarts[recordsPerFile.length]);
        }
        this.totalRecords = (int) fileStarts[recordsPerFile.length];
        if (batchSize <= 0 || batchSize > totalRecords) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be in [1, " + totalRecords
                    + "] (the number of training records)");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("negative step count " + steps);
        }
        this.seed = seed;
        this.recordsPerFile = recordsPerFile.clone();
        this.batchSize = batchSize;
        this.steps = steps;
    }

    /** A plan over the given training files (their record counts, in list order). */
    public static MinibatchPlan forFiles(long seed, List<CifarBatchFile> trainingFiles, int batchSize, int steps) {
        int[] counts = new int[trainingFiles.size()];
        for (int f = 0; f < counts.length; f++) {
            counts[f] = trainingFiles.get(f).records();
        }
        return new MinibatchPlan(seed, counts, batchSize, steps);
    }

    public long seed() {
        return seed;
    }

    public int batchSize() {
        return batchSize;
    }

    public int steps() {
        return steps;
    }

    public int totalRecords() {
        return totalRecords;
    }

    public int[] recordsPerFile() {
        return recordsPerFile.clone();
    }

    /** Epoch of the first record of {@code step}. */
    public int epochOf(int step) {
        return (int) ((long) step * batchSize / totalRecords);
    }

    /** Number of epochs the plan touches, the last possibly in part. */
    public int epochs() {
        long records = (long) steps * batchSize;
        return (int) ((records + totalRecords - 1) / totalRecords);
    }

    /** The records of {@code step} (0-based, below {@link #steps()}), in minibatch order. */
    public List<RecordRef> minibatch(int step) {
        if (step < 0 || step >= steps) {
            throw new IllegalArgumentException("step " + step + " is outside the plan's [0, " + steps + ")");
        }
        List<RecordRef> refs = new ArrayList<>(batchSize);
        long position = (long) step * batchSize;
        for (int i = 0; i < batchSize; i++, position++) {
            int epoch = (int) (position / totalRecords);
            int offset = (int) (position % totalRecords);
            refs.add(locate(order(epoch)[offset]));
        }
        return refs;
    }

    /** Epoch {@code epoch}'s visiting order as pool indices (file after file); a copy. */
    public int[] epochOrder(int epoch) {
        return order(epoch).clone();
    }

    /** The record at pool index {@code poolIndex} (files concatenated in order). */
    public RecordRef locate(int poolIndex) {
        if (poolIndex < 0 || poolIndex >= totalRecords) {
            throw new IllegalArgumentException("pool index " + poolIndex + " outside [0, " + totalRecords + ")");
        }
        int f = Arrays.binarySearch(fileStarts, poolIndex);
        if (f < 0) {
            f = -f - 2; // insertion point - 1: the file whose range holds poolIndex
        }
        return new RecordRef(f, (int) (poolIndex - fileStarts[f]));
    }

    /** Seed of epoch {@code epoch}'s shuffle: a SplitMix64 hash of (seed, epoch). */
    public static long epochSeed(long seed, int epoch) {
        return mix64(mix64(seed) + GOLDEN_GAMMA * (epoch + 1L));
    }

    private synchronized int[] order(int epoch) {
        if (cachedOrders == null) {
            cachedOrders = new int[2][];
            cachedEpochs = new int[]{-1, -1};
        }
        for (int k = 0; k < 2; k++) {
            if (cachedEpochs[k] == epoch) {
                return cachedOrders[k];
            }
        }
        int[] order = shuffle(totalRecords, epochSeed(seed, epoch));
        // Keep the newer epoch in slot 1: steps move forward, so the older one is evicted.
        cachedOrders[0] = cachedOrders[1];
        cachedEpochs[0] = cachedEpochs[1];
        cachedOrders[1] = order;
        cachedEpochs[1] = epoch;
        return order;
    }

    /** Fisher-Yates over 0..n-1 with a SplitMix64 stream. */
    static int[] shuffle(int n, long streamSeed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long state = streamSeed;
        for (int i = n - 1; i > 0; i--) {
            int bound = i + 1;
            long bits;
            long value;
            do { // rejection keeps the draw exactly uniform on [0, bound)
                state += GOLDEN_GAMMA;
                bits = mix64(state) >>> 1;
                value = bits % bound;
            } while (bits - value + (bound - 1) < 0);
            int j = (int) value;
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** SplitMix64's finalizer (Steele, Lea, Flood 2014). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
