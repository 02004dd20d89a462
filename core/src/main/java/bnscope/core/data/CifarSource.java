package bnscope.core.data;

import bnscope.core.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static bnscope.core.data.CifarBinaryFormat.ARCHIVE_FOLDER;
import static bnscope.core.data.CifarBinaryFormat.REDOWNLOAD_ADVICE;
import static bnscope.core.data.CifarBinaryFormat.TEST_FILE_NAME;
import static bnscope.core.data.CifarBinaryFormat.TRAINING_FILE_NAMES;

/**
 * A CIFAR-10 binary-version data set on any Hadoop file system: the training batch files found
 * (any non-empty subset of data_batch_1..5.bin, in that order) and test_batch.bin if present.
 * Opening checks the layout and that every file is a whole number of 3,073-byte records;
 * {@link #validateLabels} adds the full label scan. Given {@code cifar-10-binary.tar.gz} and a
 * cache directory, {@link #open(String, String, Configuration)} unpacks it first ({@link CifarArchive}).
 * Serializable, so a Spark job can ship it to executors.
 */
public final class CifarSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final List<CifarBatchFile> trainingFiles;
    private final CifarBatchFile testFile; // null when the directory has none

    private CifarSource(String directory, List<CifarBatchFile> trainingFiles, CifarBatchFile testFile) {
        this.directory = directory;
        this.trainingFiles = List.copyOf(trainingFiles);
        this.testFile = testFile;
    }

    /** Opens a directory of batch files with Hadoop's default configuration. */
    public static CifarSource open(String directory) {
        return open(directory, new Configuration());
    }

    /** Opens a directory holding the CIFAR-10 binary-version batch files. */
    public static CifarSource open(String directory, Configuration conf) {
        Path path = new Path(directory);
        FileSystem fs = fileSystem(path, conf);
        try {
            if (!fs.exists(path)) {
                throw new BadInputException("CIFAR-10 data directory " + directory + " does not exist. "
                        + expectedLayout() + " Check the path (and, for hdfs: or s3a:, the file system "
                        + "settings) or download cifar-10-binary.tar.gz.");
            }
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDirectory()) {
                if (CifarArchive.looksLikeArchive(path.getName())) {
                    throw new BadInputException(directory + " is an archive, not a directory. Give a cache "
                            + "directory to unpack it into (CifarSource.open(archive, cacheDir, conf)), or unpack "
                            + "it yourself and point at its " + ARCHIVE_FOLDER + "/ folder.");
                }
                throw new BadInputException("CIFAR-10 data location " + directory + " is a file, not a directory. "
                        + expectedLayout());
            }
            Map<String, FileStatus> byName = new TreeMap<>();
            for (FileStatus child : fs.listStatus(path)) {
                byName.put(child.getPath().getName(), child);
            }
            List<CifarBatchFile> training = new ArrayList<>();
            for (String name : TRAINING_FILE_NAMES) {
                if (byName.containsKey(name)) {
                    training.add(batchFile(fs, byName.get(name), directory));
                }
            }
            if (training.isEmpty()) {
                throw new BadInputException("CIFAR-10 data directory " + directory + " holds no training batch "
                        + "file: looked for " + String.join(", ", TRAINING_FILE_NAMES) + "; found "
                        + describeListing(byName) + ". " + expectedLayout() + hintFor(byName));
            }
            CifarBatchFile test = byName.containsKey(TEST_FILE_NAME)
                    ? batchFile(fs, byName.get(TEST_FILE_NAME), directory) : null;
            return new CifarSource(fs.makeQualified(path).toString(), training, test);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list CIFAR-10 data directory " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code location}: a directory of batch files, or {@code cifar-10-binary.tar.gz}, which is
     * first unpacked (and validated) into {@code cacheDir} unless an intact earlier unpacking of the
     * same archive is already there.
     */
    public static CifarSource open(String location, String cacheDir, Configuration conf) {
        Path path = new Path(location);
        FileSystem fs = fileSystem(path, conf);
        try {
            if (fs.exists(path) && fs.getFileStatus(path).isFile() && CifarArchive.looksLikeArchive(path.getName())) {
                return open(CifarArchive.extract(location, cacheDir, conf), conf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect CIFAR-10 location " + location + ": " + e.getMessage(), e);
        }
        return open(location, conf);
    }

    /** Fully qualified directory the files were found in. */
    public String directory() {
        return directory;
    }

    /** Training batch files present, in the release's order (data_batch_1 first). */
    public List<CifarBatchFile> trainingFiles() {
        return trainingFiles;
    }

    public int trainingRecords() {
        int total = 0;
        for (CifarBatchFile f : trainingFiles) {
            total += f.records();
        }
        return total;
    }

    public boolean hasTestFile() {
        return testFile != null;
    }

    /** test_batch.bin; evaluation needs it, so its absence is reported as bad input. */
    public CifarBatchFile testFile() {
        if (testFile == null) {
            throw new BadInputException("CIFAR-10 data directory " + directory + " has no " + TEST_FILE_NAME
                    + ", which evaluation on the test set needs. Copy test_batch.bin from the unpacked "
                    + "cifar-10-binary.tar.gz into that directory.");
        }
        return testFile;
    }

    /** Every batch file: training files first, then test_batch.bin if present. */
    public List<CifarBatchFile> allFiles() {
        List<CifarBatchFile> all = new ArrayList<>(trainingFiles);
        if (testFile != null) {
            all.add(testFile);
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * Reads every label byte of every file (one sequential pass in ~3 MB chunks; 0.05-0.2 s for all
     * 60,000 records of the full set from a local disk's page cache) and returns the per-class record counts by file name, in {@link #allFiles()}
     * order. Throws {@link BadInputException} at the first label outside 0-9.
     */
    public Map<String, long[]> validateLabels(CifarRecordReader reader) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (CifarBatchFile file : allFiles()) {
            counts.put(file.name(), reader.countLabels(file));
        }
        return counts;
    }

    @Override
    public String toString() {
        return "CIFAR-10 at " + directory + ": " + trainingFiles.size() + " training files (" + trainingRecords()
                + " records)" + (testFile == null ? ", no test file" : ", test file of " + testFile.records()
                + " records");
    }

    private static CifarBatchFile batchFile(FileSystem fs, FileStatus status, String directory) {
        String uri = fs.makeQualified(status.getPath()).toString();
        if (!status.isFile()) {
            throw new BadInputException("CIFAR-10 data directory " + directory + " has " + status.getPath().getName()
                    + " as a directory, not a batch file. " + REDOWNLOAD_ADVICE);
        }
        return new CifarBatchFile(uri, CifarBinaryFormat.checkLength(status.getLen(), uri));
    }

    private static FileSystem fileSystem(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("no Hadoop file system for " + path + ": " + e.getMessage(), e);
        }
    }

    private static String expectedLayout() {
        return "Expected a directory holding the CIFAR-10 binary version's batch files (any non-empty subset of "
                + String.join(", ", TRAINING_FILE_NAMES) + ", plus " + TEST_FILE_NAME + " for evaluation), as in the "
                + ARCHIVE_FOLDER + "/ folder of cifar-10-binary.tar.gz.";
    }

    private static String describeListing(Map<String, FileStatus> byName) {
        if (byName.isEmpty()) {
            return "an empty directory";
        }
        List<String> names = new ArrayList<>(byName.keySet());
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        return names.size() > 10 ? shown + " and " + (names.size() - 10) + " more" : shown;
    }

    private static String hintFor(Map<String, FileStatus> byName) {
        if (byName.containsKey(ARCHIVE_FOLDER) && byName.get(ARCHIVE_FOLDER).isDirectory()) {
            return " This directory has a " + ARCHIVE_FOLDER + "/ folder: point at that folder instead.";
        }
        for (String name : byName.keySet()) {
            if (CifarArchive.looksLikeArchive(name)) {
                return " This directory has the archive " + name + ": point at the archive with a cache directory, "
                        + "or unpack it and point at its " + ARCHIVE_FOLDER + "/ folder.";
            }
        }
        if (byName.containsKey("data_batch_1") || byName.containsKey("data_batch_1.mat")) {
            return " The files found look like the Python or MATLAB version of CIFAR-10; this project reads the "
                    + "binary version (cifar-10-binary.tar.gz).";
        }
        return "";
    }
}
