package bnscope.core.data;

import bnscope.core.BadInputException;

import java.util.List;

/**
 * The CIFAR-10 <em>binary version</em> layout (Krizhevsky 2009): fixed-size records of one label
 * byte (0-9) followed by 1,024 red, 1,024 green and 1,024 blue bytes, each plane row-major 32x32.
 * That plane order is already NCHW, so a record converts to a tensor by a straight copy.
 * This class holds the layout's numbers and file names, and the wording of errors about a record,
 * so that every reader reports a bad record the same way.
 */
public final class CifarBinaryFormat {
    public static final int CHANNELS = 3;
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int PLANE_BYTES = HEIGHT * WIDTH;
    public static final int IMAGE_BYTES = CHANNELS * PLANE_BYTES;
    /** One label byte, then the image. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    public static final int CLASSES = 10;

    /** The training batch files of the release; a data directory may hold any non-empty subset. */
    public static final List<String> TRAINING_FILE_NAMES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE_NAME = "test_batch.bin";
    public static final String CLASS_NAMES_FILE_NAME = "batches.meta.txt";
    /** The folder inside {@code cifar-10-binary.tar.gz} that holds the batch files. */
    public static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";
    public static final String ARCHIVE_FILE_NAME = "cifar-10-binary.tar.gz";

    /** Label order of the release (as in batches.meta.txt). */
    public static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    static final String REDOWNLOAD_ADVICE = "Re-download cifar-10-binary.tar.gz (the CIFAR-10 binary version, "
            + "not the Python or MATLAB version) and unpack it again, or point at an intact copy.";

    private CifarBinaryFormat() {
    }

    /** Byte offset of a record's label byte in its batch file. */
    public static long byteOffset(long recordIndex) {
        return recordIndex * RECORD_BYTES;
    }

    /** "record 17 (byte offset 52241)": how every error names a record. */
    public static String describeRecord(long recordIndex) {
        return "record " + recordIndex + " (byte offset " + byteOffset(recordIndex) + ")";
    }

    /** Throws a {@link BadInputException} naming the file and record if {@code label} is not 0-9. */
    static void checkLabel(int label, String file, long recordIndex) {
        if (label < 0 || label >= CLASSES) {
            throw new BadInputException("CIFAR-10 file " + file + ": " + describeRecord(recordIndex)
                    + " has label byte " + label + ", but labels must be 0-9. The file is corrupt or is not a "
                    + "CIFAR-10 binary-version batch (CIFAR-100's binary files, for instance, have two label "
                    + "bytes per record). " + REDOWNLOAD_ADVICE);
        }
    }

    /**
     * Throws a {@link BadInputException} unless {@code length} is a positive whole number of records;
     * returns the record count.
     */
    static int checkLength(long length, String file) {
        if (length == 0) {
            throw new BadInputException("CIFAR-10 file " + file + " is empty (0 bytes); a batch file holds "
                    + RECORD_BYTES + "-byte records. " + REDOWNLOAD_ADVICE);
        }
        long remainder = length % RECORD_BYTES;
        if (remainder != 0) {
            long cut = length / RECORD_BYTES;
            throw new BadInputException("CIFAR-10 file " + file + " is " + length + " bytes long, which is not a "
                    + "multiple of the record size " + RECORD_BYTES + ": " + describeRecord(cut)
                    + " is cut short, only " + remainder + " of its " + RECORD_BYTES + " bytes are present. "
                    + "The file is truncated (an interrupted download or copy?) or is not a CIFAR-10 binary-version "
                    + "batch. " + REDOWNLOAD_ADVICE);
        }
        long records = length / RECORD_BYTES;
        if (records > Integer.MAX_VALUE) {
            throw new BadInputException("CIFAR-10 file " + file + " is " + length + " bytes long, far larger than "
                    + "any CIFAR-10 batch (10000 records). Point at the real batch files.");
        }
        return (int) records;
    }
}
