package bnscope.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the tests' real CIFAR-10 bytes are, and plain java.nio access to them (independent of the readers). */
final class CifarTestFiles {
    static final int RECORD = 3073;

    private CifarTestFiles() {
    }

    /** data/cifar10-mini in the repository: 5,000 training and 1,000 test records. */
    static Path repoSample() {
        String root = System.getProperty("bnscope.repo.root");
        Path dir = root == null ? Paths.get("..").toAbsolutePath().normalize() : Paths.get(root);
        Path sample = dir.resolve("data").resolve("cifar10-mini");
        assertTrue(Files.isDirectory(sample), "repo sample missing at " + sample);
        return sample;
    }

    /** The shared, read-only full CIFAR-10 binary set (never written to). */
    static Path sharedFullSet() {
        Path full = Paths.get(System.getProperty("bnscope.shared.data")).resolve("cifar-10-batches-bin");
        assertTrue(Files.isDirectory(full), "shared data missing at " + full);
        return full;
    }

    static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    /** Label byte of record r of raw file bytes. */
    static int label(byte[] raw, int record) {
        return raw[record * RECORD];
    }

    static byte[] image(byte[] raw, int record) {
        return Arrays.copyOfRange(raw, record * RECORD + 1, (record + 1) * RECORD);
    }

    /** Copies the sample's files into {@code dir} (writable copies for corruption tests). */
    static Path copySample(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : new String[]{"data_batch_1.bin", "test_batch.bin", "batches.meta.txt"}) {
            Files.copy(repoSample().resolve(name), dir.resolve(name));
        }
        return dir;
    }
}
