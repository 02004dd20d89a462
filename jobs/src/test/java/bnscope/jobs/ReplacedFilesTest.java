package bnscope.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A surface re-run replaces the files of one (cell, step) prefix: the old files survive until the
 * new ones are complete, come back when the re-run fails (whatever it committed is removed), and
 * come back when the driver was killed in between and the next run starts.
 */
class ReplacedFilesTest {
    private static final String PREFIX = "surface-lr0.1-seed1-t000000100-";

    @TempDir
    java.nio.file.Path run;

    private java.nio.file.Path table() throws IOException {
        java.nio.file.Path dir = run.resolve("tables/surface/variant=batchnorm");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PREFIX + "p0000.parquet"), "old rows 0");
        Files.writeString(dir.resolve(PREFIX + "p0001.parquet"), "old rows 1");
        Files.writeString(dir.resolve("surface-lr0.1-seed1-t000000200-p0000.parquet"), "another step");
        return dir;
    }

    private static List<String> names(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private ReplacedFiles moveAside(java.nio.file.Path dir) {
        return ReplacedFiles.moveAside(new Path(run.toUri()), new Path(dir.toUri()), PREFIX, new Configuration());
    }

    @Test
    void aFailedReRunLeavesTheEarlierRowsAndNoneOfItsOwn() throws IOException {
        java.nio.file.Path dir = table();
        ReplacedFiles earlier = moveAside(dir);
        assertEquals(List.of("surface-lr0.1-seed1-t000000200-p0000.parquet"), names(dir), "only the other step stays in the table");
        Files.writeString(dir.resolve(PREFIX + "p0003.parquet"), "a partial commit of the failed re-run");
        earlier.restore();
        assertEquals(List.of(PREFIX + "p0000.parquet", PREFIX + "p0001.parquet", "surface-lr0.1-seed1-t000000200-p0000.parquet"), names(dir));
        assertEquals("old rows 1", Files.readString(dir.resolve(PREFIX + "p0001.parquet")));
        assertFalse(Files.exists(run.resolve(ReplacedFiles.BACKUP_ROOT).resolve("surface-variant=batchnorm").resolve(PREFIX)));
    }

    @Test
    void aCompleteReRunDiscardsTheEarlierRows() throws IOException {
        java.nio.file.Path dir = table();
        ReplacedFiles earlier = moveAside(dir);
        Files.writeString(dir.resolve(PREFIX + "p0000.parquet"), "new rows");
        earlier.discard();
        assertEquals(List.of(PREFIX + "p0000.parquet", "surface-lr0.1-seed1-t000000200-p0000.parquet"), names(dir));
        assertEquals("new rows", Files.readString(dir.resolve(PREFIX + "p0000.parquet")));
        assertFalse(Files.exists(run.resolve(ReplacedFiles.BACKUP_ROOT).resolve("surface-variant=batchnorm").resolve(PREFIX)));
    }

    @Test
    void aBackupLeftByAKilledDriverIsRestoredWhenTheNextRunStarts() throws IOException {
        java.nio.file.Path dir = table();
        moveAside(dir); // the driver dies here: neither restore nor discard runs
        Files.writeString(dir.resolve(PREFIX + "p0002.parquet"), "committed by the killed run");
        moveAside(dir).restore(); // the next run starts (and, say, fails at once)
        assertEquals(List.of(PREFIX + "p0000.parquet", PREFIX + "p0001.parquet", "surface-lr0.1-seed1-t000000200-p0000.parquet"), names(dir));
        assertEquals("old rows 0", Files.readString(dir.resolve(PREFIX + "p0000.parquet")));
    }
}
