package bnscope.core.data;

import bnscope.core.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;

import static bnscope.core.data.CifarBinaryFormat.IMAGE_BYTES;
import static bnscope.core.data.CifarBinaryFormat.RECORD_BYTES;

/**
 * Reads records of one CIFAR-10 batch file through Hadoop's FileSystem (file:, hdfs:, s3a: or a
 * plain local path). A record range is read with one seek and one read, never the whole file, so
 * that Spark executors can each fetch only their share. Every label read is checked; a bad one
 * gives a {@link BadInputException} naming the file and record.
 */
public final class CifarRecordReader {
    /** Records per read in full-file scans: about 3 MB, large enough for streaming file systems. */
    static final int SCAN_CHUNK_RECORDS = 1024;

    private final Configuration conf;

    /** A reader with Hadoop's default configuration (core-site.xml etc. from the classpath). */
    public CifarRecordReader() {
        this(new Configuration());
    }

    public CifarRecordReader(Configuration conf) {
        this.conf = conf;
    }

    Configuration configuration() {
        return conf;
    }

    /** Reads records {@code [first, first + count)} of {@code file}. */
    public CifarRecords readRange(CifarBatchFile file, int first, int count) {
        checkRange(file, first, count);
        try (FSDataInputStream in = open(file)) {
            return readRange(in, file, first, count);
        } catch (IOException e) {
            throw closeFailure(file, e);
        }
    }

    /** Reads the given records of {@code file}, in the order given (repeats allowed). */
    public CifarRecords readRecords(CifarBatchFile file, int[] recordIndices) {
        try (FSDataInputStream in = open(file)) {
            byte[] labels = new byte[recordIndices.length];
            byte[] pixels = new byte[recordIndices.length * IMAGE_BYTES];
            byte[] record = new byte[RECORD_BYTES];
            for (int i = 0; i < recordIndices.length; i++) {
                readRecordInto(in, file, recordIndices[i], record, labels, pixels, i);
            }
            return new CifarRecords(labels, pixels);
        } catch (IOException e) {
            throw closeFailure(file, e);
        }
    }

    /**
     * Reads every label of {@code file} in one sequential pass (in ~3 MB chunks) and returns how
     * many records carry each label 0-9. This is the full validation of a file's labels.
     */
    public long[] countLabels(CifarBatchFile file) {
        long[] counts = new long[CifarBinaryFormat.CLASSES];
        byte[] chunk = new byte[SCAN_CHUNK_RECORDS * RECORD_BYTES];
        try (FSDataInputStream in = open(file)) {
            for (int first = 0; first < file.records(); first += SCAN_CHUNK_RECORDS) {
                int n = Math.min(SCAN_CHUNK_RECORDS, file.records() - first);
                readFully(in, file, first, chunk, n * RECORD_BYTES);
                for (int i = 0; i < n; i++) {
                    int label = chunk[i * RECORD_BYTES] & 0xFF;
                    CifarBinaryFormat.checkLabel(label, file.uri(), first + i);
                    counts[label]++;
                }
            }
        } catch (IOException e) {
            throw closeFailure(file, e);
        }
        return counts;
    }

    /** Opens a batch file; a missing file is bad input, not a bug. */
    FSDataInputStream open(CifarBatchFile file) {
        Path path = new Path(file.uri());
        try {
            return path.getFileSystem(conf).open(path);
        } catch (FileNotFoundException e) {
            throw new BadInputException("CIFAR-10 file " + file.uri() + " was listed when its directory was "
                    + "opened but can no longer be opened (" + e.getMessage() + "). Was it moved or deleted? "
                    + "Restore it or open the directory again.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open CIFAR-10 file " + file.uri() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a contiguous range from an open stream with a positioned read (seek, not read-all). */
    static CifarRecords readRange(FSDataInputStream in, CifarBatchFile file, int first, int count) {
        byte[] raw = new byte[count * RECORD_BYTES];
        try {
            in.readFully(CifarBinaryFormat.byteOffset(first), raw);
        } catch (EOFException e) {
            throw shorterThanListed(file, first, e);
        } catch (IOException e) {
            throw readFailure(file, first, e);
        }
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * IMAGE_BYTES];
        for (int i = 0; i < count; i++) {
            int label = raw[i * RECORD_BYTES] & 0xFF;
            CifarBinaryFormat.checkLabel(label, file.uri(), (long) first + i);
            labels[i] = (byte) label;
            System.arraycopy(raw, i * RECORD_BYTES + 1, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
        }
        return new CifarRecords(labels, pixels);
    }

    /** Reads one record into slot {@code slot} of the given label and pixel arrays. */
    static void readRecordInto(FSDataInputStream in, CifarBatchFile file, int recordIndex, byte[] scratch,
                               byte[] labels, byte[] pixels, int slot) {
        checkRange(file, recordIndex, 1);
        try {
            in.readFully(CifarBinaryFormat.byteOffset(recordIndex), scratch, 0, RECORD_BYTES);
        } catch (EOFException e) {
            throw shorterThanListed(file, recordIndex, e);
        } catch (IOException e) {
            throw readFailure(file, recordIndex, e);
        }
        int label = scratch[0] & 0xFF;
        CifarBinaryFormat.checkLabel(label, file.uri(), recordIndex);
        labels[slot] = (byte) label;
        System.arraycopy(scratch, 1, pixels, slot * IMAGE_BYTES, IMAGE_BYTES);
    }

    private static void readFully(FSDataInputStream in, CifarBatchFile file, int firstRecord, byte[] buffer,
                                  int length) {
        try {
            in.readFully(buffer, 0, length);
        } catch (EOFException e) {
            throw shorterThanListed(file, firstRecord, e);
        } catch (IOException e) {
            throw readFailure(file, firstRecord, e);
        }
    }

    private static void checkRange(CifarBatchFile file, long first, long count) {
        if (first < 0 || count <= 0 || first + count > file.records()) {
            throw new IllegalArgumentException("records [" + first + ", " + (first + count) + ") are not inside "
                    + file + " ([0, " + file.records() + "))");
        }
    }

    private static BadInputException shorterThanListed(CifarBatchFile file, long record, EOFException e) {
        return new BadInputException("CIFAR-10 file " + file.uri() + " ended before "
                + CifarBinaryFormat.describeRecord(record) + " could be read in full, although it held "
                + file.records() + " records when its directory was opened. It was truncated or replaced "
                + "while in use; " + CifarBinaryFormat.REDOWNLOAD_ADVICE, e);
    }

    private static UncheckedIOException readFailure(CifarBatchFile file, long record, IOException e) {
        return new UncheckedIOException("reading CIFAR-10 file " + file.uri() + " at "
                + CifarBinaryFormat.describeRecord(record) + " failed: " + e.getMessage(), e);
    }

    private static UncheckedIOException closeFailure(CifarBatchFile file, IOException e) {
        return new UncheckedIOException("closing CIFAR-10 file " + file.uri() + " failed: " + e.getMessage(), e);
    }
}
