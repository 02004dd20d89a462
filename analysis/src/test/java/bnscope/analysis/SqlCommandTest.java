package bnscope.analysis;

import bnscope.core.BadInputException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class SqlCommandTest {
    private static final SparkSession spark = SparkTestSession.shared();
    @TempDir
    static Path runs;
    private static String runA;
    private static String runB;

    @BeforeAll
    static void start() {
        runA = SmallRun.write(runs.resolve("a"), "run-a");
        runB = SmallRun.write(runs.resolve("b"), "run-b");
        AnalyzeJob.run(spark, List.of(runA), AnalyzeOptions.defaults().withReport(false), new PrintStream(new ByteArrayOutputStream()));
    }

    private static String sql(List<String> dirs, String query, SqlCommand.Options options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, SqlCommand.run(spark, dirs, query, options, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void queriesUnionRunsWithARunColumnAndPrintsAnAlignedTable() {
        String out = sql(List.of(runA, runB), "SELECT run, variant, count(*) AS n, max(step) AS last FROM metrics "
                + "WHERE kind = 'train' GROUP BY run, variant ORDER BY run, variant", SqlCommand.Options.print());
        List<String> lines = out.lines().toList();
        assertEquals("run    variant     n  last", lines.get(0));
        assertEquals("run-a  batchnorm  80    39", lines.get(2));
        assertEquals("run-b  standard   80    39", lines.get(5));
        assertEquals("(4 rows)", lines.get(6));
    }

    @Test
    void metricTablesOfAnalyzedRunsAreViewsToo() {
        String out = sql(List.of(runA), "SELECT count(*) AS n FROM curves WHERE kind = 'test'", SqlCommand.Options.print());
        assertTrue(out.lines().anyMatch(l -> l.strip().equals("8")), out);
    }

    @Test
    void saysHowManyRowsWereOmitted() {
        String out = sql(List.of(runA), "SELECT step FROM metrics WHERE kind = 'train'", SqlCommand.Options.print().withMaxRows(5));
        assertTrue(out.contains("(160 rows; showing the first 5, 155 omitted)"), out);
        assertEquals(2 + 5 + 1, out.lines().count());
        // above SqlCommand.COUNTED_IN_ONE_JOB rows the total comes from a second (count) job: 160 x 160 rows
        String big = sql(List.of(runA), "SELECT a.step FROM metrics a CROSS JOIN metrics b WHERE a.kind = 'train' AND b.kind = 'train'",
                SqlCommand.Options.print().withMaxRows(5));
        assertTrue(big.contains("(25,600 rows; showing the first 5, 25,595 omitted)"), big);
    }

    @Test
    void writesOneCsvFileWithHeader(@TempDir Path out) throws Exception {
        Path csv = out.resolve("acc.csv");
        sql(List.of(runA), "SELECT variant, step, accuracy FROM curves WHERE kind = 'test' ORDER BY variant, step",
                SqlCommand.Options.print().withOut(csv.toString()));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("variant,step,accuracy", lines.get(0));
        assertEquals(9, lines.size());
        assertTrue(lines.get(1).startsWith("batchnorm,10,"), lines.get(1));
        try (var files = Files.list(out)) {
            assertEquals(List.of("acc.csv"), files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
        }
    }

    @Test
    void badSqlNamesTheProblemAndTheViews() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> sql(List.of(runA), "SELEC step FROM metrics", SqlCommand.Options.print()));
        assertTrue(e.getMessage().contains("cannot run"), e.getMessage());
        assertTrue(e.getMessage().contains("metrics(run, run_id, learning_rate, seed, worker"), e.getMessage());
    }

    @Test
    void missingTableListsTheViewsThatExist() {
        // run B was not analyzed: no curves view
        BadInputException e = assertThrows(BadInputException.class,
                () -> sql(List.of(runB), "SELECT * FROM curves", SqlCommand.Options.print()));
        assertTrue(e.getMessage().contains("curves"), e.getMessage());
        assertTrue(e.getMessage().contains("\n  ics_vectors("), e.getMessage());
        assertFalse(e.getMessage().contains("\n  curves("), e.getMessage());
    }

    @Test
    void unknownColumnIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> sql(List.of(runA), "SELECT no_such_column FROM landscape", SqlCommand.Options.print()));
        assertTrue(e.getMessage().contains("no_such_column"), e.getMessage());
    }

    @Test
    void queryFileMayEndWithASemicolon(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.sql");
        Files.writeString(file, "SELECT variant, count(*) AS n\nFROM landscape_metrics GROUP BY variant ORDER BY variant;\n");
        String out = sql(List.of(runA), SqlCommand.readQueryFile(file.toString()), SqlCommand.Options.print());
        assertTrue(out.contains("batchnorm  4") && out.contains("standard   4"), out);
        Files.writeString(file, "  \n");
        assertThrows(BadInputException.class, () -> SqlCommand.readQueryFile(file.toString()));
        assertThrows(BadInputException.class, () -> SqlCommand.readQueryFile(dir.resolve("none.sql").toString()));
    }

    @Test
    void analyzeRefusesADirectoryWithoutTables(@TempDir Path empty) {
        BadInputException e = assertThrows(BadInputException.class, () -> AnalyzeJob.run(spark, List.of(empty.toString()),
                AnalyzeOptions.defaults(), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("holds none of the snapshot tables"), e.getMessage());
    }

    @Test
    void missingRunDirectoryIsBadInput(@TempDir Path empty) {
        assertThrows(BadInputException.class, () -> sql(List.of(empty.resolve("nope").toString()), "SELECT 1", SqlCommand.Options.print()));
        assertThrows(BadInputException.class, () -> sql(List.of(empty.toString()), "SELECT 1", SqlCommand.Options.print()));
    }
}
