package bnscope.core.data;

import bnscope.core.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;

import static bnscope.core.data.CifarTestFiles.RECORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unpacking cifar-10-binary.tar.gz archives built here from the repo sample. */
class CifarArchiveTest {
    private final Configuration conf = new Configuration();
    private final CifarRecordReader reader = new CifarRecordReader(conf);

    @Test
    void archiveOfTheSampleReadsBackIdentically(@TempDir Path dir) throws IOException {
        Path sample = CifarTestFiles.repoSample();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/", null);
        for (String name : new String[]{"batches.meta.txt", "data_batch_1.bin", "test_batch.bin"}) {
            entries.put("cifar-10-batches-bin/" + name, Files.readAllBytes(sample.resolve(name)));
        }
        entries.put("cifar-10-batches-bin/readme.html", "<html></html>".getBytes(StandardCharsets.UTF_8));
        Path archive = writeTarGz(dir.resolve("cifar-10-binary.tar.gz"), entries);
        Path cache = dir.resolve("cache");

        CifarSource fromArchive = CifarSource.open(archive.toString(), cache.toString(), conf);
        CifarSource fromDirectory = CifarSource.open(sample.toString(), conf);
        assertEquals(cache.resolve("cifar-10-batches-bin").toUri().getPath(),
                new org.apache.hadoop.fs.Path(fromArchive.directory()).toUri().getPath() + "/");
        assertEquals(fromDirectory.trainingRecords(), fromArchive.trainingRecords());
        assertEquals(fromDirectory.testFile().records(), fromArchive.testFile().records());
        for (String name : new String[]{"data_batch_1.bin", "test_batch.bin", "batches.meta.txt"}) {
            assertEquals(-1, Files.mismatch(sample.resolve(name), cache.resolve("cifar-10-batches-bin").resolve(name)),
                    name + " differs after unpacking");
        }
        assertFalse(Files.exists(cache.resolve("cifar-10-batches-bin").resolve("readme.html")));
        CifarRecords a = reader.readRange(fromArchive.trainingFiles().get(0), 2000, 50);
        CifarRecords b = reader.readRange(fromDirectory.trainingFiles().get(0), 2000, 50);
        for (int i = 0; i < 50; i++) {
            assertEquals(b.label(i), a.label(i));
            assertArrayEquals(b.imageBytes(i), a.imageBytes(i));
        }

        // A second open reuses the unpacked folder instead of writing it again.
        Path unpackedTrain = cache.resolve("cifar-10-batches-bin").resolve("data_batch_1.bin");
        Files.setLastModifiedTime(unpackedTrain, java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
        CifarSource again = CifarSource.open(archive.toString(), cache.toString(), conf);
        assertEquals(fromArchive.allFiles(), again.allFiles());
        assertEquals(1_000_000L, Files.getLastModifiedTime(unpackedTrain).toMillis());
        try (var listing = Files.list(cache)) {
            assertEquals(1, listing.count(), "no staging folder left behind");
        }
    }

    @Test
    void entriesOutsideTheBatchesFolderAreNotAccepted(@TempDir Path dir) throws IOException {
        byte[] raw = firstRecords(20);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data_batch_1.bin", raw);
        entries.put("other/test_batch.bin", raw);
        Path archive = writeTarGz(dir.resolve("flat.tar.gz"), entries);
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarArchive.extract(archive.toString(), dir.resolve("cache").toString(), conf));
        String m = e.getMessage();
        assertTrue(m.contains("flat.tar.gz") && m.contains("cifar-10-batches-bin/data_batch_1.bin"), m);
        assertTrue(m.contains("other/test_batch.bin"), "lists what the archive holds: " + m);
        assertFalse(Files.exists(dir.resolve("cache").resolve("cifar-10-batches-bin")));
    }

    @Test
    void badLabelInsideTheArchiveNamesEntryAndRecord(@TempDir Path dir) throws IOException {
        byte[] raw = firstRecords(100);
        int k = 37;
        raw[k * RECORD] = (byte) 200;
        Path archive = writeTarGz(dir.resolve("cifar-10-binary.tar.gz"),
                Map.of("cifar-10-batches-bin/data_batch_2.bin", raw));
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarArchive.extract(archive.toString(), dir.resolve("cache").toString(), conf));
        String m = e.getMessage();
        assertTrue(m.contains("cifar-10-binary.tar.gz!cifar-10-batches-bin/data_batch_2.bin"), m);
        assertTrue(m.contains("record " + k + " (byte offset " + k * RECORD + ")"), m);
        assertTrue(m.contains("label byte 200"), m);
        try (var listing = Files.list(dir.resolve("cache"))) {
            assertEquals(0, listing.count(), "the failed unpacking left nothing behind");
        }
    }

    @Test
    void entryOfPartialRecordsIsRejectedBeforeWriting(@TempDir Path dir) throws IOException {
        byte[] raw = Arrays.copyOf(firstRecords(10), 10 * RECORD + 5);
        Path archive = writeTarGz(dir.resolve("cifar-10-binary.tar.gz"),
                Map.of("cifar-10-batches-bin/data_batch_1.bin", raw));
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarArchive.extract(archive.toString(), dir.resolve("cache").toString(), conf));
        assertTrue(e.getMessage().contains("record 10 (byte offset " + 10 * RECORD + ")"), e.getMessage());
    }

    @Test
    void truncatedArchiveIsReportedAndLeavesNoFolder(@TempDir Path dir) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/data_batch_1.bin", firstRecords(300));
        Path archive = writeTarGz(dir.resolve("cifar-10-binary.tar.gz"), entries);
        byte[] whole = Files.readAllBytes(archive);
        Files.write(archive, Arrays.copyOf(whole, whole.length / 2));
        Path cache = dir.resolve("cache");
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarSource.open(archive.toString(), cache.toString(), conf));
        String m = e.getMessage();
        assertTrue(m.contains("truncated or corrupt") && m.contains("cifar-10-binary.tar.gz"), m);
        assertFalse(Files.exists(cache.resolve("cifar-10-batches-bin")));
    }

    @Test
    void foreignFolderInTheCacheIsNotOverwritten(@TempDir Path dir) throws IOException {
        Path archive = writeTarGz(dir.resolve("cifar-10-binary.tar.gz"),
                Map.of("cifar-10-batches-bin/data_batch_1.bin", firstRecords(5)));
        Path cache = dir.resolve("cache");
        Path foreign = Files.createDirectories(cache.resolve("cifar-10-batches-bin"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        BadInputException e = assertThrows(BadInputException.class,
                () -> CifarArchive.extract(archive.toString(), cache.toString(), conf));
        assertTrue(e.getMessage().contains("not unpacked here"), e.getMessage());
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
    }

    @Test
    void changedArchiveIsUnpackedAgain(@TempDir Path dir) throws IOException {
        Path archive = dir.resolve("cifar-10-binary.tar.gz");
        Path cache = dir.resolve("cache");
        writeTarGz(archive, Map.of("cifar-10-batches-bin/data_batch_1.bin", firstRecords(5)));
        assertEquals(5, CifarSource.open(archive.toString(), cache.toString(), conf).trainingRecords());
        writeTarGz(archive, Map.of("cifar-10-batches-bin/data_batch_1.bin", firstRecords(8)));
        assertEquals(8, CifarSource.open(archive.toString(), cache.toString(), conf).trainingRecords());
    }

    private static byte[] firstRecords(int n) throws IOException {
        byte[] raw = Files.readAllBytes(CifarTestFiles.repoSample().resolve("data_batch_1.bin"));
        return Arrays.copyOf(raw, n * RECORD);
    }

    /** A gzip-compressed tar with the given entries (a null value makes a directory entry). */
    private static Path writeTarGz(Path file, Map<String, byte[]> entries) throws IOException {
        GzipParameters gzip = new GzipParameters();
        gzip.setCompressionLevel(Deflater.BEST_SPEED);
        try (OutputStream raw = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(raw, gzip))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                if (e.getValue() != null) {
                    entry.setSize(e.getValue().length);
                }
                tar.putArchiveEntry(entry);
                if (e.getValue() != null) {
                    tar.write(e.getValue());
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }
}
