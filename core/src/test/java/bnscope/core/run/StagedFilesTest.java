package bnscope.core.run;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/** A rename the file system refuses (returns false, as HDFS does) is an error, never a silently lost file. */
class StagedFilesTest {
    /** The real local file system, except that rename reports failure the way HDFS does: by returning false. */
    public static final class FalseRenameFileSystem extends LocalFileSystem {
        @Override
        public boolean rename(Path src, Path dst) {
            return false;
        }
    }

    /** A Hadoop configuration whose file:// file system refuses renames. */
    public static Configuration refusingRenames() {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", FalseRenameFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return conf;
    }

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

    @Test
    void aRenameReturningFalseThrows() throws IOException {
        FileSystem fs = new Path(tmp.toString()).getFileSystem(refusingRenames());
        assertInstanceOf(FalseRenameFileSystem.class, fs);
        Path target = new Path(tmp.resolve("file.txt").toString());
        IOException e = assertThrows(IOException.class,
                () -> StagedFiles.write(fs, target, out -> out.write(1)));
        assertTrue(e.getMessage().contains("returned false") && e.getMessage().contains("file.txt"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("file.txt")));
    }
}
