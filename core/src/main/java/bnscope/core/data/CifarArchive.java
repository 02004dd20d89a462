package bnscope.core.data;

import bnscope.core.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static bnscope.core.data.CifarBinaryFormat.ARCHIVE_FILE_NAME;
import static bnscope.core.data.CifarBinaryFormat.ARCHIVE_FOLDER;
import static bnscope.core.data.CifarBinaryFormat.CLASS_NAMES_FILE_NAME;
import static bnscope.core.data.CifarBinaryFormat.RECORD_BYTES;
import static bnscope.core.data.CifarBinaryFormat.TEST_FILE_NAME;
import static bnscope.core.data.CifarBinaryFormat.TRAINING_FILE_NAMES;

/**
 * Unpacks {@code cifar-10-binary.tar.gz} (entries under {@code cifar-10-batches-bin/}) into a cache
 * directory the caller picks, on any Hadoop file system. Validates while streaming: every batch
 * entry must be a whole number of 3,073-byte records with labels 0-9. Only the release's own file
 * names are written (no path from the archive is trusted). The files land in a staging folder that
 * is renamed to {@code <cacheDir>/cifar-10-batches-bin} only when complete, with a marker naming the
 * archive, so a later call with the same archive reuses the result and an interrupted one never
 * leaves a half-written data set behind.
 */
public final class CifarArchive {
    /** Written into the unpacked folder; identifies the archive it came from. */
    static final String MARKER_FILE_NAME = ".bnscope-unpacked-from";

    private static final int COPY_BUFFER_BYTES = 1 << 20;

    private CifarArchive() {
    }

    static boolean looksLikeArchive(String fileName) {
        return fileName.endsWith(".tar.gz") || fileName.endsWith(".tgz");
    }

    /**
     * Unpacks {@code archive} into {@code cacheDir}/cifar-10-batches-bin (reusing an intact earlier
     * unpacking of the same archive) and returns that directory's fully qualified path.
     */
    public static String extract(String archive, String cacheDir, Configuration conf) {
        Path archivePath = new Path(archive);
        Path target = new Path(cacheDir, ARCHIVE_FOLDER);
        try {
            FileSystem archiveFs = archivePath.getFileSystem(conf);
            FileSystem cacheFs = target.getFileSystem(conf);
            if (!archiveFs.exists(archivePath) || !archiveFs.getFileStatus(archivePath).isFile()) {
                throw new BadInputException("CIFAR-10 archive " + archive + " does not exist or is not a file. "
                        + "Expected " + ARCHIVE_FILE_NAME + " (the CIFAR-10 binary version) or a directory of its "
                        + "unpacked batch files.");
            }
            FileStatus archiveStatus = archiveFs.getFileStatus(archivePath);
            String marker = "archive=" + archiveFs.makeQualified(archivePath) + "\nlength=" + archiveStatus.getLen()
                    + "\nmodified=" + archiveStatus.getModificationTime() + "\n";
            String qualifiedTarget = cacheFs.makeQualified(target).toString();
            if (cacheFs.exists(target)) {
                String existing = readMarker(cacheFs, target);
                if (marker.equals(existing)) {
                    return qualifiedTarget;
                }
                if (existing == null) {
                    throw new BadInputException("cache directory " + cacheDir + " already has a " + ARCHIVE_FOLDER
                            + "/ folder that was not unpacked here from an archive (no " + MARKER_FILE_NAME
                            + " marker). Point at that folder directly as the data directory, or remove it, or "
                            + "choose another cache directory for " + archive + ".");
                }
                // An earlier unpacking of a different (or since changed) archive: ours to replace.
                cacheFs.delete(target, true);
            }
            Path staging = new Path(cacheDir, "." + ARCHIVE_FOLDER + ".partial-" + UUID.randomUUID());
            try {
                unpackInto(archiveFs, archivePath, archive, cacheFs, staging);
                try (OutputStream out = cacheFs.create(new Path(staging, MARKER_FILE_NAME), false)) {
                    out.write(marker.getBytes(StandardCharsets.UTF_8));
                }
                if (!cacheFs.rename(staging, target)) {
                    // Someone else may have finished the same unpacking first.
                    if (!marker.equals(readMarker(cacheFs, target))) {
                        throw new IOException("could not rename " + staging + " to " + target);
                    }
                }
            } finally {
                if (cacheFs.exists(staging)) {
                    cacheFs.delete(staging, true);
                }
            }
            return qualifiedTarget;
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking CIFAR-10 archive " + archive + " into " + cacheDir
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static void unpackInto(FileSystem archiveFs, Path archivePath, String archive, FileSystem cacheFs,
                                   Path staging) throws IOException {
        Set<String> wanted = new TreeSet<>(TRAINING_FILE_NAMES);
        wanted.add(TEST_FILE_NAME);
        wanted.add(CLASS_NAMES_FILE_NAME);
        List<String> seen = new ArrayList<>();
        Set<String> written = new TreeSet<>();
        cacheFs.mkdirs(staging);
        try (FSDataInputStream raw = archiveFs.open(archivePath);
             TarArchiveInputStream tar = openTar(raw, archive)) {
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar, archive)) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (seen.size() < 10) {
                    seen.add(name);
                }
                String prefix = ARCHIVE_FOLDER + "/";
                if (entry.isDirectory() || !entry.isFile() || !name.startsWith(prefix)) {
                    continue;
                }
                String fileName = name.substring(prefix.length());
                if (!wanted.contains(fileName)) {
                    continue; // readme.html and the like
                }
                String described = archive + "!" + name;
                if (fileName.endsWith(".bin")) {
                    CifarBinaryFormat.checkLength(entry.getSize(), described);
                }
                copyEntry(tar, entry.getSize(), fileName.endsWith(".bin"), described, buffer,
                        cacheFs, new Path(staging, fileName));
                written.add(fileName);
            }
        }
        if (written.stream().noneMatch(TRAINING_FILE_NAMES::contains)) {
            throw new BadInputException("CIFAR-10 archive " + archive + " holds no training batch file: looked for "
                    + prefixed(TRAINING_FILE_NAMES) + "; its first entries are " + (seen.isEmpty() ? "(none)"
                    : String.join(", ", seen)) + ". Expected " + ARCHIVE_FILE_NAME + ", the CIFAR-10 binary version "
                    + "(the Python and MATLAB versions have other layouts). " + CifarBinaryFormat.REDOWNLOAD_ADVICE);
        }
    }

    /** Copies one entry, checking each record's label byte as it streams past. */
    private static void copyEntry(TarArchiveInputStream tar, long size, boolean batchFile, String described,
                                  byte[] buffer, FileSystem cacheFs, Path destination) throws IOException {
        try (OutputStream out = cacheFs.create(destination, false)) {
            long position = 0;
            while (position < size) {
                int n = readSome(tar, buffer, (int) Math.min(buffer.length, size - position), described, position);
                if (batchFile) {
                    long firstLabel = (position + RECORD_BYTES - 1) / RECORD_BYTES * RECORD_BYTES;
                    for (long at = firstLabel; at < position + n; at += RECORD_BYTES) {
                        CifarBinaryFormat.checkLabel(buffer[(int) (at - position)] & 0xFF, described, at / RECORD_BYTES);
                    }
                }
                out.write(buffer, 0, n);
                position += n;
            }
        }
    }

    private static int readSome(InputStream in, byte[] buffer, int max, String described, long position) {
        try {
            int n = in.read(buffer, 0, max);
            if (n < 0) {
                throw new EOFException("end of data");
            }
            return n;
        } catch (IOException e) {
            throw corrupt(described + " (after its first " + position + " bytes, i.e. in or after "
                    + CifarBinaryFormat.describeRecord(position / RECORD_BYTES) + ")", e);
        }
    }

    private static TarArchiveInputStream openTar(InputStream raw, String archive) {
        try {
            return new TarArchiveInputStream(new GzipCompressorInputStream(
                    new BufferedInputStream(raw, COPY_BUFFER_BYTES), true));
        } catch (IOException e) {
            throw corrupt(archive + " (gzip header)", e);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String archive) {
        try {
            return tar.getNextTarEntry();
        } catch (IOException e) {
            throw corrupt(archive + " (between entries)", e);
        }
    }

    private static BadInputException corrupt(String where, IOException e) {
        return new BadInputException("CIFAR-10 archive is truncated or corrupt: reading " + where + " failed with \""
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "\". Expected a complete " + ARCHIVE_FILE_NAME + " (gzip-compressed tar). "
                + CifarBinaryFormat.REDOWNLOAD_ADVICE, e);
    }

    private static String readMarker(FileSystem fs, Path folder) throws IOException {
        Path marker = new Path(folder, MARKER_FILE_NAME);
        if (!fs.exists(marker)) {
            return null;
        }
        try (InputStream in = fs.open(marker)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String prefixed(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(ARCHIVE_FOLDER + "/" + n);
        }
        return String.join(", ", out);
    }
}
