package bnscope.core.config;

import java.io.Serializable;

/**
 * The {@code data.*} keys: where the CIFAR-10 files are and how much of the test file is used.
 *
 * @param dir          data.dir: a CIFAR-10 binary directory or the cifar-10-binary.tar.gz archive
 * @param cacheDir     data.cache_dir: where an archive is unpacked; empty means beside the run directory
 * @param testExamples data.test_examples: evaluate on the first N test records; 0 means all
 */
public record DataSettings(String dir, String cacheDir, int testExamples) implements Serializable {
}
