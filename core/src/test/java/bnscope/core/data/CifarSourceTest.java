package bnscope.core.data;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static bnscope.core.data.CifarTestFiles.RECORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening, validating and reading CIFAR-10 batch files: the repo sample, the shared full set, and corrupted copies. */
class CifarSourceTest {
    private final CifarRecordReader reader = new CifarRecordReader();

    @Test
    void repoSampleHasTheDocumentedCountsAndValidLabels() throws IOException {
        CifarSource source = CifarSource.open(CifarTestFiles.repoSample().toString());
        assertEquals(1, source.trainingFiles().size());
        assertEquals("data_batch_1.bin", source.trainingFiles().get(0).name());
        assertEquals(5000, source.trainingRecords());
        assertTrue(source.hasTestFile());
        assertEquals(1000, source.testFile().records());
        assertTrue(source.directory().startsWith("file:"), source.directory());

        Map<String, long[]> counts = source.validateLabels(reader);
        assertEquals(List.of("data_batch_1.bin", "test_batch.bin"), List.copyOf(counts.keySet()));
        assertEquals(5000, Arrays.stream(counts.get("data_batch_1.bin")).sum());
        // Independent recount of the test file's label bytes with java.nio.
        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("test_batch.bin"));
        long[] recount = new long[10];
        for (int r = 0; r < raw.length / RECORD; r++) {
            int label = CifarTestFiles.label(raw, r);
            assertTrue(label >= 0 && label <= 9);
            recount[label]++;
        }
        assertArrayEquals(recount, counts.get("test_batch.bin"));
        for (long c : recount) {
            assertTrue(c > 50, "every class occurs in 1,000 shuffled test records: " + Arrays.toString(recount));
        }
    }

    @Test
    void knownRecordsDecodeToTheirFileBytes() throws IOException {
        CifarSource source = CifarSource.open(CifarTestFiles.repoSample().toString());
        CifarBatchFile train = source.trainingFiles().get(0);
        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));

        CifarRecords one = reader.readRange(train, 1234, 1);
        assertEquals(CifarTestFiles.label(raw, 1234), one.label(0));
        assertArrayEquals(CifarTestFiles.image(raw, 1234), one.imageBytes(0));
        // Plane layout: R, G, B planes, each row-major 32x32.
        int base = 1234 * RECORD + 1;
        assertEquals(raw[base + 2 * 1024 + 5 * 32 + 17] & 0xFF, one.pixel(0, 2, 5, 17));
        assertEquals(raw[base + 31 * 32 + 31] & 0xFF, one.pixel(0, 0, 31, 31));

        CifarRecords tail = reader.readRange(train, 4990, 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(CifarTestFiles.label(raw, 4990 + i), tail.label(i));
            assertArrayEquals(CifarTestFiles.image(raw, 4990 + i), tail.imageBytes(i));
        }

        int[] picks = {4999, 0, 17, 17, 2500};
        CifarRecords scattered = reader.readRecords(train, picks);
        for (int i = 0; i < picks.length; i++) {
            assertEquals(CifarTestFiles.label(raw, picks[i]), scattered.label(i));
            assertArrayEquals(CifarTestFiles.image(raw, picks[i]), scattered.imageBytes(i));
        }
        assertThrows(IllegalArgumentException.class, () -> reader.readRange(train, 4995, 6));
    }

    @Test
    void fileUriAndPlainPathOpenTheSameFiles() {
        Path sample = CifarTestFiles.repoSample();
        CifarSource plain = CifarSource.open(sample.toString());
        CifarSource uri = CifarSource.open(sample.toUri().toString());
        assertEquals(plain.allFiles(), uri.allFiles());
    }

    @Test
    void repoSampleIsTheFirstRecordsOfTheSharedFullSet() throws IOException {
        byte[] sampleTrain = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));
        byte[] sampleTest = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("test_batch.bin"));
        CifarSource full = CifarSource.open(CifarTestFiles.sharedFullSet().toString());
        CifarRecords firstTrain = reader.readRange(full.trainingFiles().get(0), 0, 5000);
        CifarRecords firstTest = reader.readRange(full.testFile(), 0, 1000);
        for (int r = 0; r < 5000; r += 7) {
            assertEquals(CifarTestFiles.label(sampleTrain, r), firstTrain.label(r));
            assertArrayEquals(CifarTestFiles.image(sampleTrain, r), firstTrain.imageBytes(r));
        }
        for (int r = 0; r < 1000; r++) {
            assertArrayEquals(CifarTestFiles.image(sampleTest, r), firstTest.imageBytes(r));
        }
    }

    @Test
    void fullSharedSetValidatesQuicklyAndIsClassBalanced() {
        long start = System.nanoTime();
        CifarSource full = CifarSource.open(CifarTestFiles.sharedFullSet().toString());
        Map<String, long[]> counts = full.validateLabels(reader);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("full CIFAR-10 label scan (60,000 records, 6 files): %.3f s%n", seconds);

        assertEquals(5, full.trainingFiles().size());
        assertEquals(50000, full.trainingRecords());
        long[] training = new long[10];
        for (CifarBatchFile f : full.trainingFiles()) {
            assertEquals(10000, f.records());
            long[] c = counts.get(f.name());
            for (int k = 0; k < 10; k++) {
                training[k] += c[k];
            }
        }
        long[] fiveThousandEach = new long[10];
        Arrays.fill(fiveThousandEach, 5000);
        assertArrayEquals(fiveThousandEach, training);
        long[] thousandEach = new long[10];
        Arrays.fill(thousandEach, 1000);
        assertArrayEquals(thousandEach, counts.get("test_batch.bin"));
        assertTrue(seconds < 20, "label scan took " + seconds + " s");
    }

    @Test
    void anySubsetOfTrainingFilesIsTakenInReleaseOrder(@TempDir Path dir) throws IOException {
        byte[] raw = CifarTestFiles.bytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));
        Files.write(dir.resolve("data_batch_3.bin"), Arrays.copyOfRange(raw, 0, 30 * RECORD));
        Files.write(dir.resolve("data_batch_1.bin"), Arrays.copyOfRange(raw, 30 * RECORD, 50 * RECORD));
        Files.writeString(dir.resolve("readme.html"), "not a batch");
        CifarSource source = CifarSource.open(dir.toString());
        assertEquals(List.of("data_batch_1.bin", "data_batch_3.bin"),
                source.trainingFiles().stream().map(CifarBatchFile::name).toList());
        assertEquals(List.of(20, 30), source.trainingFiles().stream().map(CifarBatchFile::records).toList());
        assertFalse(source.hasTestFile());
        BadInputException e = assertThrows(BadInputException.class, source::testFile);
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
        assertArrayEquals(CifarTestFiles.image(raw, 30), reader.readRange(source.trainingFiles().get(0), 0, 1).imageBytes(0));
    }

    @Test
    void truncatedFileIsReportedWithFileAndRecordOffset(@TempDir Path dir) throws IOException {
        Path copy = CifarTestFiles.copySample(dir.resolve("cifar"));
        Path train = copy.resolve("data_batch_1.bin");
        long cutLength = 5000L * RECORD - 1000; // the last record loses 1,000 bytes
        try (RandomAccessFile f = new RandomAccessFile(train.toFile(), "rw")) {
            f.setLength(cutLength);
        }
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(copy.toString()));
        String m = e.getMessage();
        assertTrue(m.contains("data_batch_1.bin"), m);
        assertTrue(m.contains("record 4999 "), m);
        assertTrue(m.contains("byte offset " + 4999L * RECORD), m);
        assertTrue(m.contains(String.valueOf(cutLength)), m);
        assertTrue(m.contains("Re-download"), m);
    }

    @Test
    void emptyBatchFileIsReported(@TempDir Path dir) throws IOException {
        Path copy = CifarTestFiles.copySample(dir.resolve("cifar"));
        Files.write(copy.resolve("test_batch.bin"), new byte[0]);
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(copy.toString()));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void badLabelIsReportedWithItsRecord(@TempDir Path dir) throws IOException {
        Path copy = CifarTestFiles.copySample(dir.resolve("cifar"));
        int k = 777;
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve("test_batch.bin").toFile(), "rw")) {
            f.seek((long) k * RECORD);
            f.write(11);
        }
        CifarSource source = CifarSource.open(copy.toString()); // lengths are fine: only the scan finds it
        BadInputException e = assertThrows(BadInputException.class, () -> source.validateLabels(reader));
        String m = e.getMessage();
        assertTrue(m.contains("test_batch.bin"), m);
        assertTrue(m.contains("record " + k + " "), m);
        assertTrue(m.contains("byte offset " + (long) k * RECORD), m);
        assertTrue(m.contains("label byte 11"), m);

        // A range read meets the same check; ranges around it are still readable (seek, not read-all).
        BadInputException inRange = assertThrows(BadInputException.class,
                () -> reader.readRange(source.testFile(), 700, 100));
        assertTrue(inRange.getMessage().contains("record " + k + " "), inRange.getMessage());
        assertEquals(100, reader.readRange(source.testFile(), 778, 100).size());
        assertEquals(k, reader.readRange(source.testFile(), 0, k).size());
    }

    @Test
    void highLabelBytesAreReportedAsUnsignedValues(@TempDir Path dir) throws IOException {
        Path copy = CifarTestFiles.copySample(dir.resolve("cifar"));
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve("data_batch_1.bin").toFile(), "rw")) {
            f.seek(3L * RECORD);
            f.write(255);
        }
        CifarSource source = CifarSource.open(copy.toString());
        BadInputException e = assertThrows(BadInputException.class,
                () -> reader.readRecords(source.trainingFiles().get(0), new int[]{9, 3}));
        assertTrue(e.getMessage().contains("record 3 ") && e.getMessage().contains("label byte 255"), e.getMessage());
    }

    @Test
    void missingDirectoryNamesWhatWasLookedFor(@TempDir Path dir) {
        String missing = dir.resolve("no-such-cifar").toString();
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(missing));
        String m = e.getMessage();
        assertTrue(m.contains(missing), m);
        assertTrue(m.contains("does not exist"), m);
        assertTrue(m.contains("data_batch_1.bin") && m.contains("data_batch_5.bin") && m.contains("test_batch.bin"), m);
    }

    @Test
    void emptyDirectoryNamesWhatWasLookedFor(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(empty.toString()));
        String m = e.getMessage();
        assertTrue(m.contains(empty.toString()), m);
        assertTrue(m.contains("no training batch file"), m);
        assertTrue(m.contains("data_batch_1.bin") && m.contains("data_batch_5.bin"), m);
        assertTrue(m.contains("empty directory"), m);
    }

    @Test
    void parentOfTheUnpackedFolderGetsAHint(@TempDir Path dir) throws IOException {
        CifarTestFiles.copySample(dir.resolve("cifar-10-batches-bin"));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(dir.toString()));
        assertTrue(e.getMessage().contains("point at that folder"), e.getMessage());
    }

    @Test
    void testFileAloneIsNotATrainingSet(@TempDir Path dir) throws IOException {
        Files.copy(CifarTestFiles.repoSample().resolve("test_batch.bin"), dir.resolve("test_batch.bin"));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarSource.open(dir.toString()));
        assertTrue(e.getMessage().contains("found test_batch.bin"), e.getMessage());
    }

    @Test
    void fileDeletedAfterOpeningIsBadInput(@TempDir Path dir) throws IOException {
        Path copy = CifarTestFiles.copySample(dir.resolve("cifar"));
        CifarSource source = CifarSource.open(copy.toString());
        Files.delete(copy.resolve("test_batch.bin"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> reader.readRange(source.testFile(), 0, 10));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
    }
}
