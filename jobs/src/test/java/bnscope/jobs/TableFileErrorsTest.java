package bnscope.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The commands that read tables, on a real (tiny) trained and analyzed run whose Parquet files are
 * damaged the four ways a file goes bad (cut in half, wrong magic number, bytes changed under their
 * .crc checksum, footer length pointing outside the file): each ends with exit status 2 and one
 * paragraph naming the file and its table, and no metric table is changed or left half-written.
 * Also `sql -f FILE` after --runs, and `sql --out` cleaning up after a failed query.
 */
class TableFileErrorsTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainAndAnalyze() {
        run = tmp.resolve("run");
        MainOutcome train = MainOutcome.trainTiny(run, 5);
        assertEquals(0, train.status(), train.err());
        MainOutcome analyze = MainOutcome.of("analyze", run.toString());
        assertEquals(0, analyze.status(), analyze.err());
    }

    enum Damage { TRUNCATED, WRONG_MAGIC, CHECKSUM_MISMATCH, MISSING_FOOTER }

    /** A copy of the run with the first Parquet file of {@code table} damaged; returns that file. */
    private static Path damagedCopy(String name, String table, Damage damage) throws IOException {
        Path copy = tmp.resolve(name);
        Trees.copy(run, copy);
        Path file;
        try (Stream<Path> files = Files.walk(copy.resolve(table))) {
            file = files.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.getFileName().toString().startsWith("."))
                    .sorted().findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(file);
        Path crc = file.resolveSibling("." + file.getFileName() + ".crc");
        switch (damage) {
            case TRUNCATED -> b = java.util.Arrays.copyOf(b, b.length / 2);
            case WRONG_MAGIC -> {
                System.arraycopy("XXXX".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
                System.arraycopy("XXXX".getBytes(StandardCharsets.US_ASCII), 0, b, b.length - 4, 4);
            }
            case CHECKSUM_MISMATCH -> {
                assertTrue(Files.exists(crc), "Spark-written files carry a .crc: " + crc);
                b[b.length / 3] ^= (byte) 0xFF;
            }
            case MISSING_FOOTER -> ByteBuffer.wrap(b, b.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1_000_000_000);
        }
        Files.write(file, b);
        if (damage != Damage.CHECKSUM_MISMATCH) {
            Files.deleteIfExists(crc); // otherwise every damage would surface as a checksum error
        }
        return file;
    }

    /** Every file of the run's metric tables, with its size and bytes' hash: what "unchanged" means. */
    private static Map<String, Integer> metricTableFiles(Path runDir) throws IOException {
        Map<String, Integer> files = new TreeMap<>();
        for (String table : List.of("curves", "ics_metrics", "moments", "landscape_metrics")) {
            Path dir = runDir.resolve(table);
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    files.put(runDir.relativize(p).toString(), java.util.Arrays.hashCode(Files.readAllBytes(p)));
                }
            }
        }
        return files;
    }

    private static void assertNamed(MainOutcome o, Path file, String table) {
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains(file.toString()) && o.err().contains("of table " + table), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals(1, o.err().strip().lines().filter(l -> l.startsWith("bnscope")).count(), o.err());
    }

    @Test
    void analyzeNamesEachKindOfDamagedSnapshotFileAndLeavesTheMetricTablesAsTheyWere() throws IOException {
        Map<String, Integer> before = metricTableFiles(run);
        assertFalse(before.isEmpty());
        for (Damage damage : Damage.values()) {
            Path copy = tmp.resolve("analyze-" + damage);
            Path file = damagedCopy(copy.getFileName().toString(), "metrics", damage);
            MainOutcome o = MainOutcome.of("analyze", copy.toString());
            assertNamed(o, file, "metrics");
            assertEquals(before, metricTableFiles(copy), damage + ": the metric tables must be the previous ones, whole");
            assertFalse(Files.exists(copy.resolve("_metric_staging")), damage + ": no staged table left");
        }
    }

    @Test
    void analyzeOfARunWithoutMetricTablesWritesNoneWhenAnInputIsDamaged() throws IOException {
        Path file = damagedCopy("analyze-fresh", "metrics", Damage.TRUNCATED);
        Path copy = tmp.resolve("analyze-fresh");
        for (String table : List.of("curves", "ics_metrics", "moments", "landscape_metrics")) {
            Trees.delete(copy.resolve(table));
        }
        MainOutcome o = MainOutcome.of("analyze", copy.toString());
        assertNamed(o, file, "metrics");
        assertEquals(Map.of(), metricTableFiles(copy), "curves (the job that failed) is not written at all");
    }

    @Test
    void sqlReportAndCompareNameTheDamagedFile() throws IOException {
        Path file = damagedCopy("sql-checksum", "curves", Damage.CHECKSUM_MISMATCH);
        assertNamed(MainOutcome.of("sql", "SELECT count(*) FROM curves", "--runs", tmp.resolve("sql-checksum").toString()), file, "curves");

        file = damagedCopy("report-footer", "curves", Damage.MISSING_FOOTER);
        Path copy = tmp.resolve("report-footer");
        assertNamed(MainOutcome.of("report", copy.toString()), file, "curves");
        assertFalse(Files.exists(copy.resolve("report").resolve("index.html")), "no report presented as complete");

        file = damagedCopy("compare-magic", "ics_metrics", Damage.WRONG_MAGIC);
        assertNamed(MainOutcome.of("compare", run.toString(), tmp.resolve("compare-magic").toString()), file, "ics_metrics");
    }

    @Test
    void sqlReadsTheQueryFileGivenAfterRuns() throws IOException {
        Path q = Files.writeString(tmp.resolve("q.sql"), "SELECT count(DISTINCT step) AS steps FROM curves;\n");
        MainOutcome o = MainOutcome.of("sql", "--runs", run.toString(), "-f", q.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("steps") && o.out().contains("(1 rows)"), o.out());
        o = MainOutcome.of("sql", "--runs", run.toString(), "--file", q.toString(), "--max-rows", "1");
        assertEquals(0, o.status(), o.err());
    }

    @Test
    void sqlOutLeavesNothingBehindWhenTheQueryFails() throws IOException {
        Path file = damagedCopy("sql-out", "curves", Damage.TRUNCATED);
        Path out = tmp.resolve("results").resolve("curves.csv");
        Files.createDirectories(out.getParent());
        MainOutcome o = MainOutcome.of("sql", "SELECT * FROM curves", "--runs", tmp.resolve("sql-out").toString(), "--out", out.toString());
        assertNamed(o, file, "curves");
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertEquals(List.of(), left.toList(), "no partial CSV or staging folder");
        }
        Path parquet = out.resolveSibling("curves.parquet");
        o = MainOutcome.of("sql", "SELECT * FROM curves", "--runs", tmp.resolve("sql-out").toString(), "--out", parquet.toString());
        assertNamed(o, file, "curves");
        assertFalse(Files.exists(parquet), "no partial Parquet folder");
        o = MainOutcome.of("sql", "SELECT variant, step FROM curves", "--runs", run.toString(), "--out", out.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.readString(out).startsWith("variant,step"), "a good query still writes its CSV");
    }
}
