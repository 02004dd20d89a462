package bnscope.core.run;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/** A staged write appears whole and replaces the old file (a refused rename: jobs CheckpointsTest). */
class StagedFilesTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void aStagedWriteAppearsWholeAndReplacesTheOldFile() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path target = new Path(tmp.resolve("a/b/file.txt").toString());
        StagedFiles.write(fs, target, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
        StagedFiles.write(fs, target, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(tmp.resolve("a/b/file.txt")));
        assertFalse(Files.exists(tmp.resolve("a/b/.file.txt.tmp")));
    }
}
