package bnscope.jobs.cli;

import bnscope.analysis.RunViews;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.TableSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognizes a damaged Parquet file of a bnscope table in what Spark or parquet-mr threw (a
 * SparkException several causes above a ChecksumException, "is not a Parquet file", an
 * EOFException from a cut footer...) and names the file, its table and run directory and what to
 * do. Spark throws these from Scala without declaring them, so they arrive as checked exceptions
 * or wrapped in task failures; the file is taken from whichever message in the chain names it.
 */
final class UnreadableTableFile {
    private static final Pattern PARQUET_PATH = Pattern.compile("((?:[a-z][a-z0-9+.-]*:)?/[^\\s,;'\"\\]\\[]*?\\.parquet)");

    private UnreadableTableFile() {
    }

    /**
     * The paragraph for a Parquet read failure in {@code e}, or empty when {@code e} is none. Spark
     * names the file for some failures only (not for a bad footer), so when no message does, the
     * Parquet files under {@code dirs} (the command's run directories) are checked to find it.
     */
    static Optional<String> describe(Throwable e, List<String> dirs) {
        String reason = null;
        String file = null;
        for (Throwable t : Failure.chain(e)) {
            String m = String.valueOf(t.getMessage());
            if (reason == null) {
                reason = reason(t, m);
            }
            Matcher matcher = PARQUET_PATH.matcher(m);
            // a failed write names its output (sql --out x.parquet), which is not the damaged input
            if (file == null && !m.contains("while writing rows") && matcher.find()) {
                file = matcher.group(1);
            }
        }
        if (reason == null) {
            return Optional.empty();
        }
        if (file == null) {
            Optional<String[]> damaged = firstDamaged(dirs);
            if (damaged.isEmpty()) {
                return Optional.empty();
            }
            file = damaged.get()[0];
            reason = damaged.get()[1];
        }
        return Optional.of(message(file, reason));
    }

    /** The first Parquet file under {@code dirs} whose bytes or footer cannot be read: {path, reason}. */
    private static Optional<String[]> firstDamaged(List<String> dirs) {
        Configuration hadoop = new Configuration();
        for (String dir : dirs) {
            try {
                Path p = new Path(dir);
                FileSystem fs = p.getFileSystem(hadoop);
                if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
                    continue;
                }
                p = fs.makeQualified(p);
                RemoteIterator<LocatedFileStatus> files = fs.listFiles(p, true);
                while (files.hasNext()) {
                    Path f = files.next().getPath();
                    if (f.getName().endsWith(".parquet") && !hidden(p, f)) {
                        String why = check(fs, f, hadoop);
                        if (why != null) {
                            return Optional.of(new String[]{f.toString(), why});
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a directory that cannot be listed is not where the damaged file is looked for
            }
        }
        return Optional.empty();
    }

    /** Files Spark does not read: under a folder (or named) starting with _ or . (staging, checksums). */
    private static boolean hidden(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root) && p.getParent() != null; p = p.getParent()) {
            if (p.getName().startsWith("_") || p.getName().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Why {@code f} cannot be read (its checksum, through the file system, then its Parquet footer), or null. */
    private static String check(FileSystem fs, Path f, Configuration hadoop) {
        try (InputStream in = fs.open(f)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            return reasonOrMessage(e);
        }
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(f, hadoop))) {
            reader.getFooter();
            return null;
        } catch (IOException | RuntimeException e) {
            return reasonOrMessage(e);
        }
    }

    private static String reasonOrMessage(Throwable e) {
        String r = reason(e, String.valueOf(e.getMessage()));
        return r != null ? r : "it cannot be read (" + e.getMessage() + ")";
    }

    /** The paragraph for {@code file}: its table and run directory come from the path (RUN/TABLE/variant=V/...). */
    static String message(String file, String reason) {
        String[] parts = file.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            Optional<TableSchema> table = RunViews.allTables().stream().filter(t -> t.name().equals(part)).findFirst();
            if (table.isPresent()) {
                String runDir = String.join("/", Arrays.copyOfRange(parts, 0, i));
                String remedy = MetricTables.all().contains(table.get())
                        ? "It is a metric table: run `./submit.sh analyze " + runDir + "` to write it again."
                        : "It is a snapshot table, written only by training: restore the file from a copy of the run or train "
                        + "the run again into a new directory (moving the file away leaves the table readable without its rows).";
                return "The table file " + file + " of table " + part + " (run directory " + runDir + ") cannot be read: "
                        + reason + ". " + remedy + " No metric table was left half-written: each is complete or as it was before.";
            }
        }
        return "The Parquet file " + file + " cannot be read: " + reason + ". Restore it or move it away.";
    }

    /** Why the file cannot be read, when {@code t} is a Parquet read failure (null otherwise). */
    private static String reason(Throwable t, String m) {
        if (t instanceof ChecksumException || m.contains("Checksum error")) {
            return "its bytes do not match the checksum recorded beside it (.crc), so it changed after it was written";
        }
        if (m.contains("is not a Parquet file")) {
            return "it is not a Parquet file (wrong magic number at its start or end: truncated, overwritten or another format)";
        }
        if (t instanceof EOFException || m.contains("Could not read footer") || m.contains("can not read class org.apache.parquet")
                || m.contains("is too small") || m.contains("footer index is not within the file")) {
            return "its Parquet footer is missing or cut short (the file is truncated)";
        }
        if (m.contains("corrupted file") || t.getClass().getName().equals("org.apache.parquet.io.ParquetDecodingException")) {
            return "its Parquet data cannot be decoded (" + m + ")";
        }
        return null;
    }
}
