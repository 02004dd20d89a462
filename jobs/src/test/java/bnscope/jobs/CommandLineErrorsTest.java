package bnscope.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input at the command line ends with exit status 2 and one clear paragraph, before any Spark work. */
class CommandLineErrorsTest {

    @TempDir
    Path tmp;

    private String conf() {
        return Path.of(System.getProperty("bnscope.repo.root"), "conf", "default.conf").toString();
    }

    @Test
    void unknownConfigKeyIsNamed() {
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "train.learnig_rate=0.5");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("train.learnig_rate") && o.err().contains("train.learning_rate"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void badValueIsNamed() {
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "spark.workers=0");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("spark.workers") && o.err().contains("> 0"), o.err());
    }

    @Test
    void missingDataDirectoryIsNamed() {
        Path missing = tmp.resolve("no-such-cifar");
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "data.dir=" + missing);
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
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--set", "data.dir=" + dir);
        assertEquals(2, o.status());
        assertTrue(o.err().contains("data_batch_1.bin") && o.err().contains("17"), o.err());
        assertFalse(Files.exists(tmp.resolve("r").resolve("metrics")), "no partial output");
    }

    @Test
    void unknownCommandAndOptionAndMissingConfigFile() {
        MainOutcome o = MainOutcome.of("trian");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("trian") && o.err().contains("train"), o.err());
        o = MainOutcome.of("train", conf(), "--resum");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--resum"), o.err());
        o = MainOutcome.of("train", tmp.resolve("nope.conf").toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("nope.conf"), o.err());
    }

    @Test
    void existingRunIsNotOverwrittenSilently() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("r"));
        Files.writeString(run.resolve("manifest.json"), "{\"status\": \"completed\"}");
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", run.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--resume") && o.err().contains("run.overwrite"), o.err());
    }

    @Test
    void helpListsCommandsAndConfigKeys() {
        MainOutcome o = MainOutcome.of("--help");
        assertEquals(0, o.status());
        bnscope.jobs.cli.Cli cli = new bnscope.jobs.cli.Cli(System.out);
        assertEquals(List.of("run", "train", "analyze", "report", "sql", "compare", "claims", "theory", "surface", "docs", "help"), cli.commandNames());
        for (String c : cli.commandNames()) {
            assertTrue(o.out().contains(cli.synopsis(c).replace("\n", " ")), c + " in\n" + o.out());
            MainOutcome h = MainOutcome.of("help", c);
            assertEquals(0, h.status());
            assertEquals(cli.usage(c), h.out(), "help " + c);
            if (!c.equals("help")) {
                assertEquals(h.out(), MainOutcome.of(c, "--help").out(), c + " --help");
            }
        }
        assertTrue(o.out().contains("train.learning_rate"));
        assertTrue(o.out().contains("docs/errors.md"));
    }

    @Test
    void badOptionValuesAndMissingArgumentsAreOneParagraphNamingTheOption() {
        for (String[] args : List.of(new String[]{"compare", "a", "b", "--tolerance", "tiny"},
                new String[]{"sql", "SELECT 1", "--runs", "r", "--max-rows", "x"},
                new String[]{"theory", "r", "--units", "four"},
                new String[]{"train"},
                new String[]{"analyze", "r", "--masterr", "local[1]"})) {
            MainOutcome o = MainOutcome.of(args);
            assertEquals(2, o.status(), String.join(" ", args) + ": " + o.err());
            assertEquals(1, o.err().strip().lines().count(), "one paragraph: " + o.err());
            assertTrue(o.err().contains("bnscope " + args[0]) && o.err().contains("./submit.sh help " + args[0]), o.err());
        }
        assertTrue(MainOutcome.of("compare", "a", "b", "--tolerance", "tiny").err().contains("--tolerance"));
        assertTrue(MainOutcome.of("train").err().contains("CONF"));
        assertTrue(MainOutcome.of("analyze", "r", "--masterr", "local[1]").err().contains("--masterr"));
    }

    @Test
    void unreachableMasterIsNamedBeforeSparkStarts() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String url = "spark://127.0.0.1:" + port;
        long start = System.nanoTime();
        MainOutcome o = MainOutcome.of("train", conf(), "--run-dir", tmp.resolve("r").toString(), "--master", url,
                "--set", "data.dir=" + Path.of(System.getProperty("bnscope.repo.root"), "data", "cifar10-mini"));
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains(url) && o.err().contains("connection refused") && o.err().contains("start-master"), o.err());
        assertFalse(o.err().contains("LiveListenerBus") || o.err().contains("manifest.json records"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertFalse(Files.exists(tmp.resolve("r")), "nothing written");
        assertTrue((System.nanoTime() - start) / 1e9 < 30, "refused without Spark's minute of retries");
    }

    @Test
    void sqlOutputLocationIsCheckedBeforeTheQuery() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        MainOutcome o = MainOutcome.of("sql", "SELECT 1", "--runs", runs.toString(), "--out", "/proc/x.csv");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("/proc/x.csv") && o.err().contains("no file can be created in"), o.err());
        o = MainOutcome.of("sql", "SELECT 1", "--runs", runs.toString(), "--out", tmp.resolve("no-such-dir/x.csv").toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("no-such-dir") && o.err().contains("does not exist"), o.err());
        Path folder = Files.createDirectories(tmp.resolve("taken.csv"));
        o = MainOutcome.of("sql", "SELECT 1", "--runs", runs.toString(), "--out", folder.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("existing folder"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void theManifestIsSaidToRecordAFailureOnlyWhenOneDid() {
        bnscope.jobs.cli.Cli cli = new bnscope.jobs.cli.Cli(System.out);
        var plain = bnscope.jobs.cli.Failure.of(cli, new String[]{"train"}, new IllegalStateException("disk full"));
        assertEquals(1, plain.status());
        assertTrue(plain.message().contains("disk full") && !plain.message().contains("manifest"), plain.message());
        var recorded = bnscope.jobs.cli.Failure.of(cli, new String[]{"train"},
                new RecordedFailure("/runs/r/manifest.json", new IllegalStateException("disk full")));
        assertEquals(1, recorded.status());
        assertTrue(recorded.message().contains("disk full") && recorded.message().contains("/runs/r/manifest.json records it"),
                recorded.message());
        var bad = bnscope.jobs.cli.Failure.of(cli, new String[]{"train"},
                new RecordedFailure("/runs/r/manifest.json", new bnscope.core.BadInputException("data.dir is gone")));
        assertEquals(2, bad.status());
        assertTrue(bad.message().contains("data.dir is gone") && bad.message().contains("records it"), bad.message());
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
