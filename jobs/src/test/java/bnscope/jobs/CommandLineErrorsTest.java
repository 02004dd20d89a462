package bnscope.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input at the command line ends with exit status 2 and one clear paragraph, before any Spark work. */
class CommandLineErrorsTest {

    @TempDir
    Path tmp;

    private record Outcome(int status, String out, String err) {
    }

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String conf() {
        return Path.of(System.getProperty("bnscope.repo.root"), "conf", "default.conf").toString();
    }

    @Test
    void unknownConfigKeyIsNamed() {
        Outcome o = run("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "train.learnig_rate=0.5");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("train.learnig_rate") && o.err().contains("train.learning_rate"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void badValueIsNamed() {
        Outcome o = run("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "spark.workers=0");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("spark.workers") && o.err().contains("> 0"), o.err());
    }

    @Test
    void missingDataDirectoryIsNamed() {
        Path missing = tmp.resolve("no-such-cifar");
        Outcome o = run("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "data.dir=" + missing);
        assertEquals(2, o.status());
        assertTrue(o.err().contains("no-such-cifar"), o.err());
    }

    @Test
    void corruptDataFileNamesFileAndRecord() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        Path sample = Path.of(System.getProperty("bnscope.repo.root"), "data", "cifar10-mini");
        byte[] train = Files.readAllBytes(sample.resolve("data_batch_1.bin"));
        train[3073 * 17] = 42; // label byte of record 17
        Files.write(dir.resolve("data_batch_1.bin"), train);
        Files.copy(sample.resolve("test_batch.bin"), dir.resolve("test_batch.bin"));
        Outcome o = run("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "data.dir=" + dir);
        assertEquals(2, o.status());
        assertTrue(o.err().contains("data_batch_1.bin") && o.err().contains("17"), o.err());
        assertFalse(Files.exists(tmp.resolve("r").resolve("metrics")), "no partial output");
    }

    @Test
    void unknownCommandAndOptionAndMissingConfigFile() {
        Outcome o = run("trian");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("trian") && o.err().contains("train"), o.err());
        o = run("train", conf(), "--resum");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--resum"), o.err());
        o = run("train", tmp.resolve("nope.conf").toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("nope.conf"), o.err());
    }

    @Test
    void existingRunIsNotOverwrittenSilently() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("r"));
        Files.writeString(run.resolve("manifest.json"), "{\"status\": \"completed\"}");
        Outcome o = run("train", conf(), "--run-dir", run.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--resume") && o.err().contains("run.overwrite"), o.err());
    }

    @Test
    void helpListsCommandsAndConfigKeys() {
        Outcome o = run("--help");
        assertEquals(0, o.status());
        bnscope.jobs.cli.Cli cli = new bnscope.jobs.cli.Cli(System.out);
        assertEquals(List.of("run", "train", "analyze", "report", "sql", "compare", "theory", "docs", "help"), cli.commandNames());
        for (String c : cli.commandNames()) {
            assertTrue(o.out().contains(cli.synopsis(c).replace("\n", " ")), c + " in\n" + o.out());
            Outcome h = run("help", c);
            assertEquals(0, h.status());
            assertEquals(cli.usage(c), h.out(), "help " + c);
            if (!c.equals("help")) {
                assertEquals(h.out(), run(c, "--help").out(), c + " --help");
            }
        }
        assertTrue(o.out().contains("train.learning_rate"));
        assertTrue(o.out().contains("docs/errors.md"));
    }

    @Test
    void generatedDocsAreCurrent() throws Exception {
        Path root = Path.of(System.getProperty("bnscope.repo.root"));
        for (var doc : Main.generatedDocs().entrySet()) {
            Path p = root.resolve(doc.getKey());
            assertTrue(Files.exists(p), p + " is missing: run ./submit.sh docs");
            assertEquals(doc.getValue(), Files.readString(p), p + " is stale: run ./submit.sh docs");
        }
    }
}
