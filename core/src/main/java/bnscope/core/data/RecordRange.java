package bnscope.core.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Records {@code [first, first + count)} of one batch file: the unit an executor reads with one
 * seek. {@link #chunks} cuts a file into consecutive ranges, which is how test sets are evaluated:
 * in file order, in fixed-size chunks (the last may be smaller), identical on every run.
 */
public record RecordRange(CifarBatchFile file, int first, int count) implements Serializable {
    public RecordRange {
        if (first < 0 || count <= 0 || (long) first + count > file.records()) {
            throw new IllegalArgumentException("records [" + first + ", " + ((long) first + count)
                    + ") are not inside " + file);
        }
    }

    /** Consecutive ranges of {@code chunkSize} records covering the whole file in order. */
    public static List<RecordRange> chunks(CifarBatchFile file, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
        }
        List<RecordRange> ranges = new ArrayList<>();
        for (int first = 0; first < file.records(); first += chunkSize) {
            ranges.add(new RecordRange(file, first, Math.min(chunkSize, file.records() - first)));
        }
        return ranges;
    }

    public CifarRecords read(CifarRecordReader reader) {
        return reader.readRange(file, first, count);
    }
}
