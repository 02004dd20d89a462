package bnscope.core.data;

import org.apache.hadoop.fs.FSDataInputStream;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static bnscope.core.data.CifarBinaryFormat.IMAGE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.RECORD_BYTES;

/**
 * Reads the records of a planned minibatch ({@link MinibatchPlan#minibatch}) into a normalized
 * {@link DataSet}, row i being the minibatch's i-th record. Records are fetched file by file in
 * ascending offset (one positioned read each), and each file's stream stays open across
 * minibatches until {@link #close()}. Not thread-safe: one reader per task.
 */
public final class MinibatchReader implements AutoCloseable {
    private final List<CifarBatchFile> trainingFiles;
    private final CifarDataSetConverter converter;
    private final CifarRecordReader reader;
    private final FSDataInputStream[] streams;
    private final byte[] scratch = new byte[RECORD_BYTES];

    /** {@code trainingFiles} in the same order as the plan's record counts. */
    public MinibatchReader(List<CifarBatchFile> trainingFiles, CifarDataSetConverter converter,
                           CifarRecordReader reader) {
        this.trainingFiles = List.copyOf(trainingFiles);
        this.converter = converter;
        this.reader = reader;
        this.streams = new FSDataInputStream[trainingFiles.size()];
    }

    public DataSet read(List<RecordRef> minibatch) {
        return converter.toDataSet(readRecords(minibatch));
    }

    /** The raw records of the minibatch, in minibatch order. */
    public CifarRecords readRecords(List<RecordRef> minibatch) {
        int n = minibatch.size();
        Integer[] slots = new Integer[n];
        for (int i = 0; i < n; i++) {
            slots[i] = i;
        }
        // Group by file, then ascending offset: forward-moving reads within each file.
        Arrays.sort(slots, Comparator.<Integer>comparingInt(s -> minibatch.get(s).fileIndex())
                .thenComparingInt(s -> minibatch.get(s).recordIndex()));
        byte[] labels = new byte[n];
        byte[] pixels = new byte[n * IMAGE_BYTES];
        for (int slot : slots) {
            RecordRef ref = minibatch.get(slot);
            if (ref.fileIndex() >= trainingFiles.size()) {
                throw new IllegalArgumentException(ref + " names a file beyond the " + trainingFiles.size()
                        + " training files");
            }
            CifarBatchFile file = trainingFiles.get(ref.fileIndex());
            CifarRecordReader.readRecordInto(stream(ref.fileIndex()), file, ref.recordIndex(), scratch,
                    labels, pixels, slot);
        }
        return new CifarRecords(labels, pixels);
    }

    private FSDataInputStream stream(int fileIndex) {
        if (streams[fileIndex] == null) {
            streams[fileIndex] = reader.open(trainingFiles.get(fileIndex));
        }
        return streams[fileIndex];
    }

    @Override
    public void close() {
        IOException first = null;
        for (int f = 0; f < streams.length; f++) {
            if (streams[f] != null) {
                try {
                    streams[f].close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
                streams[f] = null;
            }
        }
        if (first != null) {
            throw new UncheckedIOException("closing CIFAR-10 training files failed: " + first.getMessage(), first);
        }
    }
}
