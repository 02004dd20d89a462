package bnscope.analysis;

import bnscope.core.BadInputException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `sql` is read-only (issue 14 fault 1): every statement that could write into a run, change the
 * catalog or the session is refused with BadInputException (exit 2) naming its kind, and every file
 * of a real analyzed run directory is byte-identical afterwards; queries, EXPLAIN, SHOW and DESCRIBE
 * run, and registering the views writes nothing either.
 */
class SqlReadOnlyTest {
    private static final SparkSession spark = SparkTestSession.shared();
    @TempDir
    static Path runs;
    private static String run;

    @BeforeAll
    static void start() {
        run = SmallRun.write(runs.resolve("a"), "run-a");
        AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults().withReport(false), new PrintStream(new ByteArrayOutputStream()));
        assertTrue(Files.isDirectory(Path.of(run, "curves")), "fixture: analyze wrote curves");
    }

    /** SHA-256 of every file under {@code dir} by relative path: equal maps = same files, same bytes. */
    static Map<String, String> hashes(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (var files = Files.walk(dir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String sql(String query, List<String> dirs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, SqlCommand.run(spark, dirs, query, SqlCommand.Options.print(), new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String sql(String query) {
        return sql(query, List.of(run));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            INSERT OVERWRITE DIRECTORY '@RUN/curves' USING parquet SELECT 1 AS x         | INSERT OVERWRITE DIRECTORY (Spark plan InsertIntoDir)
            INSERT OVERWRITE LOCAL DIRECTORY '@RUN/curves' SELECT 1 AS x                 | INSERT OVERWRITE DIRECTORY (Spark plan InsertIntoDir)
            INSERT INTO curves SELECT * FROM curves                                     | INSERT INTO/OVERWRITE TABLE (Spark plan InsertIntoStatement)
            INSERT OVERWRITE TABLE curves SELECT * FROM curves WHERE step < 0           | INSERT INTO/OVERWRITE TABLE (Spark plan InsertIntoStatement)
            WITH c AS (SELECT * FROM curves) INSERT INTO curves SELECT * FROM c         | INSERT INTO/OVERWRITE TABLE (Spark plan InsertIntoStatement)
            FROM curves INSERT OVERWRITE DIRECTORY '@RUN/curves' USING parquet SELECT *  | INSERT OVERWRITE DIRECTORY (Spark plan InsertIntoDir)
            CREATE TABLE t USING parquet LOCATION '@RUN/curves' AS SELECT 1 AS x         | CREATE TABLE ... AS SELECT (Spark plan CreateTableAsSelect)
            CREATE TABLE t (x INT) USING parquet LOCATION '@RUN/extra'                   | CREATE TABLE (Spark plan CreateTable)
            CREATE VIEW v AS SELECT * FROM curves                                       | CREATE VIEW (Spark plan CreateView)
            CREATE OR REPLACE TEMPORARY VIEW curves AS SELECT 1 AS x                    | CREATE TEMPORARY VIEW (Spark plan CreateViewCommand)
            DROP TABLE curves                                                           | DROP TABLE (Spark plan DropTable)
            DROP VIEW curves                                                            | DROP VIEW (Spark plan DropView)
            ALTER TABLE curves RENAME TO c2                                             | ALTER TABLE ... RENAME (Spark plan RenameTable)
            ALTER VIEW curves AS SELECT 1 AS x                                          | ALTER VIEW AS (Spark plan AlterViewAs)
            TRUNCATE TABLE curves                                                       | TRUNCATE TABLE (Spark plan TruncateTable)
            DELETE FROM curves WHERE step = 10                                          | DELETE FROM (Spark plan DeleteFromTable)
            LOAD DATA LOCAL INPATH '@RUN/manifest.json' OVERWRITE INTO TABLE curves     | LOAD DATA (Spark plan LoadData)
            MSCK REPAIR TABLE curves                                                    | MSCK REPAIR TABLE (Spark plan RepairTable)
            CACHE TABLE curves                                                          | CACHE TABLE (Spark plan CacheTable)
            CACHE LAZY TABLE c AS SELECT * FROM curves                                  | CACHE TABLE ... AS SELECT (Spark plan CacheTableAsSelect)
            UNCACHE TABLE curves                                                        | UNCACHE TABLE (Spark plan UncacheTable)
            CLEAR CACHE                                                                 | CLEAR CACHE (Spark plan ClearCacheCommand)
            REFRESH TABLE curves                                                        | REFRESH TABLE (Spark plan RefreshTable)
            REFRESH '@RUN/curves'                                                        | REFRESH path (Spark plan RefreshResource)
            ADD JAR '@RUN/manifest.json'                                                 | ADD JAR (Spark plan AddJarsCommand)
            ADD FILE '@RUN/manifest.json'                                                | ADD FILE (Spark plan AddFilesCommand)
            CREATE FUNCTION f AS 'java.lang.String'                                     | CREATE FUNCTION (Spark plan CreateFunction)
            CREATE TEMPORARY FUNCTION f AS 'java.lang.String'                           | CREATE TEMPORARY FUNCTION (Spark plan CreateFunctionCommand)
            SET spark.master=local[1]                                                   | SET spark.master=local[1] (SET key=value
            SET spark.sql.shuffle.partitions=3                                          | SET spark.sql.shuffle.partitions=3 (SET key=value
            RESET                                                                       | RESET (Spark plan ResetCommand)
            USE default                                                                 | USE (Spark plan SetCatalogAndNamespace)
            DROP TABLE IDENTIFIER('curves')                                             | DROP TABLE (Spark plan DropTable)
            SELECT TRANSFORM(step) USING 'rm -r @RUN' AS (x) FROM curves                 | SELECT TRANSFORM ... USING (runs a shell command) (Spark plan ScriptTransformation)
            WITH x AS (SELECT TRANSFORM(step) USING 'rm -r @RUN' FROM curves) SELECT * FROM x    | (Spark plan ScriptTransformation)
            SELECT * FROM curves WHERE step IN (SELECT TRANSFORM(step) USING 'cat' AS (s) FROM curves) | (Spark plan ScriptTransformation)
            SELECT reflect('java.lang.System' , 'exit' , 3)                             | a query calling reflect(...)
            SELECT step FROM curves WHERE java_method('java.lang.System' , 'exit' , 3) = 0 | a query calling java_method(...)
            EXPLAIN INSERT OVERWRITE DIRECTORY '@RUN/curves' USING parquet SELECT 1 AS x | EXPLAIN of INSERT OVERWRITE DIRECTORY (Spark plan InsertIntoDir)
            SELECT 1 AS x; INSERT OVERWRITE DIRECTORY '@RUN/curves' USING parquet SELECT 1 AS x | 2 statements separated by ';' (1: query; 2: INSERT OVERWRITE DIRECTORY (Spark plan InsertIntoDir))
            SELECT 1 AS x; SELECT 2 AS y                                                | 2 statements separated by ';' (1: query; 2: query)
            """)
    void refusesEveryStatementThatIsNotReadOnlyAndLeavesTheRunByteIdentical(String statement, String kind) {
        String query = statement.replace("@RUN", run);
        Map<String, String> before = hashes(Path.of(run));
        assertTrue(before.size() > 20 && before.keySet().stream().anyMatch(k -> k.startsWith("curves/")), before.toString());
        BadInputException e = assertThrows(BadInputException.class, () -> sql(query));
        String m = e.getMessage();
        assertTrue(m.startsWith("The statement is ") || m.startsWith("The query holds "), m);
        assertTrue(m.contains(kind), m);
        assertTrue(m.contains("`sql` is read-only") && m.contains("--out FILE.csv") && m.contains("WITH name AS"), m);
        assertEquals(before, hashes(Path.of(run)), "the run directory changed");
        // the views are still the run's: curves has its 8 test rows, not something a statement put there
        assertTrue(sql("SELECT count(*) AS n FROM curves WHERE kind = 'test'").lines().anyMatch(l -> l.strip().equals("8")));
    }

    @Test
    void queriesExplainShowAndDescribeRunAndWriteNothing() {
        Map<String, String> before = hashes(Path.of(run));

        assertTrue(sql("SELECT count(*) AS n FROM curves WHERE kind = 'test'").lines().anyMatch(l -> l.strip().equals("8")));
        String with = sql("WITH t AS (SELECT variant, max(step) AS last FROM curves GROUP BY variant) SELECT * FROM t ORDER BY variant");
        assertTrue(with.lines().anyMatch(l -> l.matches("batchnorm\\s+40")) && with.lines().anyMatch(l -> l.matches("standard\\s+40")), with);
        assertTrue(sql("VALUES (1, 'a;b') AS v(n, s)").contains("a;b"));
        // trailing semicolons, and semicolons inside strings and comments, are one statement
        assertTrue(sql("SELECT ';' AS s /* ; */ FROM curves -- ;\nWHERE kind = 'test' LIMIT 1;;").contains("(1 rows)"));

        String explain = sql("EXPLAIN SELECT variant, count(*) FROM curves GROUP BY variant");
        assertTrue(explain.contains("== Physical Plan ==") && explain.contains("HashAggregate"), explain);
        String tables = sql("SHOW TABLES");
        assertTrue(tables.contains("curves") && tables.contains("ics_vectors") && tables.contains("true"), tables);
        assertTrue(sql("SHOW VIEWS").contains("landscape_metrics"));
        String columns = sql("SHOW COLUMNS IN curves");
        assertTrue(columns.lines().anyMatch(l -> l.strip().equals("run")) && columns.lines().anyMatch(l -> l.strip().equals("accuracy")), columns);
        String describe = sql("DESCRIBE curves");
        assertTrue(describe.lines().anyMatch(l -> l.matches("step\\s+bigint.*")), describe);
        assertTrue(sql("DESCRIBE QUERY SELECT step FROM curves").contains("step"));
        assertTrue(sql("SET spark.sql.shuffle.partitions").contains("spark.sql.shuffle.partitions  2"));

        assertEquals(before, hashes(Path.of(run)), "reading the run changed it");
    }

    @Test
    void aFolderMissingOrEmptyInSomeRunsIsNamed(@TempDir Path dir) throws IOException {
        String b = SmallRun.write(dir.resolve("b"), "run-b"); // not analyzed: no curves
        Map<String, String> before = hashes(Path.of(b));

        String out = sql("SELECT run, count(*) AS n FROM curves GROUP BY run", List.of(run, b));
        assertTrue(out.contains("note: view curves has no rows from 1 of the runs (file:" + b + "/curves is missing); "
                + "metric tables appear after `./submit.sh analyze RUN_DIR`"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("run-a ")) && out.contains("(1 rows)"), out);
        assertFalse(sql("SELECT count(*) FROM metrics", List.of(run, b)).contains("note:"), "every run holds metrics: no note");

        BadInputException missing = assertThrows(BadInputException.class, () -> sql("SELECT * FROM curves", List.of(b)));
        assertTrue(missing.getMessage().contains("No run holds table curves: ") && missing.getMessage().contains("b/curves is missing"),
                missing.getMessage());

        Files.createDirectories(Path.of(b, "curves"));
        Files.writeString(Path.of(b, "curves", "_SUCCESS"), "");
        BadInputException empty = assertThrows(BadInputException.class, () -> sql("SELECT * FROM curves", List.of(b)));
        assertTrue(empty.getMessage().contains("b/curves holds no Parquet file"), empty.getMessage());
        Files.delete(Path.of(b, "curves", "_SUCCESS"));
        Files.delete(Path.of(b, "curves"));
        assertEquals(before, hashes(Path.of(b)));
    }

    @Test
    void registeringTheViewsWritesNothing() {
        Map<String, String> before = hashes(Path.of(run));
        RunDirectory dir = RunDirectory.open(spark, run);
        RunViews views = RunViews.register(spark, List.of(dir));
        // every table but those SmallRun records none of: layer_norms, sharpness (probes off) and surface (no surface job)
        assertEquals(dir.present(RunViews.allTables()).stream().map(t -> t.name()).toList(), List.copyOf(views.views().keySet()));
        assertEquals(java.util.Set.of("layer_norms", "sharpness", "surface"), RunViews.allTables().stream().map(t -> t.name())
                .filter(t -> !views.views().containsKey(t)).collect(java.util.stream.Collectors.toSet()), views.describe());
        long curves = spark.read().parquet(Path.of(run, "curves").toString()).count();
        assertTrue(curves > 0);
        assertEquals(curves, spark.table("curves").count());
        assertEquals(spark.read().parquet(Path.of(run, "ics_vectors").toString()).count(), spark.table("ics_vectors").count());
        assertEquals(before, hashes(Path.of(run)));
    }

    @Test
    void everyWorkedExampleOfTheDocsIsAllowed() throws Exception {
        List<Path> files;
        try (var list = Files.list(Path.of("..", "docs", "queries"))) {
            files = list.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
        }
        assertEquals(5, files.size(), files.toString());
        for (Path f : files) {
            assertEquals("query", ReadOnlyStatement.of(spark, SqlCommand.readQueryFile(f.toString())).kind(), f.toString());
        }
        // the inline example of docs/queries.md: lambdas and higher-order functions are ordinary expressions
        ReadOnlyStatement s = ReadOnlyStatement.of(spark, "SELECT variant, sqrt(sum(aggregate(zip_with(g, g_prime, (a, b) -> "
                + "CAST(a AS DOUBLE) - b), 0D, (acc, d) -> acc + d * d))) AS diff_norm FROM ics_vectors GROUP BY variant");
        assertEquals(java.util.Set.of("ics_vectors"), s.relations());
    }
}
