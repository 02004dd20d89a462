package bnscope.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data archive submit.sh keeps beside the jobs jar: {@link ClassDataWarmUp} run with
 * {@code -XX:ArchiveClassesAtExit} (as submit.sh runs it once per build) stores Spark's classes, and
 * a later JVM started with {@code -XX:SharedArchiveFile} and submit.sh's logging switches maps them
 * from the archive and prints nothing of it on stdout. CDS archives classes from jars only (and not
 * picocli's, compiled for Java 5), so the test JVM's class directories are packed into jars first,
 * as for the standalone cluster.
 */
class ClassDataWarmUpTest {
    @TempDir
    Path tmp;

    @Test
    void theArchiveHoldsSparksClassesAndALaterJvmMapsThem() throws Exception {
        String classpath = ClasspathJars.ofThisJvm(tmp.resolve("jars")).joined();
        Path archive = tmp.resolve("bnscope-jobs.jsa");

        Outcome dump = java(classpath, "-XX:ArchiveClassesAtExit=" + archive);
        assertEquals(0, dump.status(), dump.err());
        assertTrue(Files.size(archive) > 10_000_000, "archive of " + Files.size(archive) + " bytes");

        Path loaded = tmp.resolve("class-load.txt");
        Outcome mapped = java(classpath, "-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-Xlog:all=warning:stderr",
                "-Xlog:class+load=info:file=" + loaded);
        assertEquals(0, mapped.status(), mapped.err());
        assertEquals("", mapped.out(), "the warm-up prints nothing, and JVM warnings go to stderr");
        List<String> lines = Files.readAllLines(loaded);
        for (String cls : List.of("org.apache.spark.sql.SparkSession ", "org.apache.spark.SparkContext ",
                "org.apache.parquet.hadoop.ParquetFileReader ", "bnscope.jobs.cli.Cli ")) {
            String line = lines.stream().filter(l -> l.contains("] " + cls)).findFirst()
                    .orElseThrow(() -> new AssertionError(cls + "was not loaded"));
            assertTrue(line.contains("source: shared objects file"), line);
        }
        long shared = lines.stream().filter(l -> l.contains("source: shared objects file (top)")).count();
        assertTrue(shared > 5_000, shared + " classes mapped from the archive of " + lines.size() + " loaded");
    }

    private record Outcome(int status, String out, String err) {
    }

    private Outcome java(String classpath, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").toString(), "-Xmx1g"));
        command.addAll(SparkSessions.javaOpens());
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", classpath, ClassDataWarmUp.class.getName()));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the warm-up JVM did not finish in 5 minutes: " + command);
        }
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
