package bnscope.analysis;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The DuckDB script of {@code sql --duckdb} against the Spark views of {@code sql}, through DuckDB's
 * own JDBC driver: on two analyzed runs, every worked example of docs/queries/ and the docs'
 * recomputation of ‖G−G'‖ from the stored vectors give the same rows on both engines.
 */
@Tag("slow")
class DuckDbScriptTest {
    private static final SparkSession spark = SparkTestSession.shared();
    /** Both engines sum doubles, in different orders: the rounded answers agree, the raw sums to this. */
    private static final double TOLERANCE = 1e-9;
    @TempDir
    static Path runs;
    private static List<String> dirs;
    private static Connection duckdb;

    @BeforeAll
    static void start() throws SQLException {
        dirs = List.of(SmallRun.write(runs.resolve("a"), "run-a"), SmallRun.write(runs.resolve("b"), "run-b"));
        AnalyzeJob.run(spark, dirs, AnalyzeOptions.defaults().withReport(false), new PrintStream(new ByteArrayOutputStream()));
        RunViews.register(spark, dirs.stream().map(d -> RunDirectory.open(spark, d)).toList());
        String script = DuckDbScript.of(RunViews.open(null, dirs.stream().map(d -> RunDirectory.openFiles(new Configuration(), d)).toList()));
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = duckdb.createStatement()) {
            s.execute(script);
        }
    }

    @AfterAll
    static void stop() throws SQLException {
        duckdb.close();
    }

    @Test
    void everyWorkedExampleGivesTheSameRowsOnBothEngines() throws Exception {
        List<Path> files;
        try (var list = Files.list(Path.of("..", "docs", "queries"))) {
            files = list.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
        }
        assertTrue(files.size() >= 5, files.toString());
        for (Path f : files) {
            // SmallRun has layers 1..3: the Fig. 3 example's layer #5 becomes layer #2, so it has rows to compare
            String query = SqlCommand.readQueryFile(f.toString()).replace("layer = 5", "layer = 2");
            List<List<Object>> onSpark = spark(query);
            assertFalse(onSpark.isEmpty(), f + " gives no rows: the comparison would prove nothing");
            assertSameRows(f.toString(), onSpark, duckdb(query));
        }
    }

    @Test
    void theViewsHaveTheSameColumnsAndRowsPerRun() throws Exception {
        for (String view : List.of("metrics", "ics", "ics_vectors", "landscape", "activations", "theory_checks", "ics_metrics",
                "moments", "landscape_metrics", "curves")) {
            String query = "SELECT run, variant, count(*) AS n FROM " + view + " GROUP BY run, variant ORDER BY run, variant";
            assertSameRows(view, spark(query), duckdb(query));
            List<String> sparkColumns = List.of(spark.table(view).columns());
            List<String> duckColumns = new ArrayList<>();
            try (ResultSet rs = duckdb.createStatement().executeQuery("DESCRIBE " + view)) {
                while (rs.next()) {
                    duckColumns.add(rs.getString(1));
                }
            }
            assertEquals(sparkColumns, duckColumns, view);
        }
    }

    @Test
    void theVectorRecomputationOfTheDocsAgrees() throws Exception {
        String onSpark = "SELECT run, variant, worker, step, layer, sqrt(sum(aggregate(zip_with(g, g_prime, (a, b) -> "
                + "CAST(a AS DOUBLE) - b), 0D, (acc, d) -> acc + d * d))) AS diff_norm FROM ics_vectors WHERE param = 'W' "
                + "GROUP BY run, variant, worker, step, layer ORDER BY run, variant, worker, step, layer";
        String onDuckDb = "SELECT run, variant, worker, step, layer, sqrt(sum(list_sum(list_transform(list_zip(g, g_prime), "
                + "p -> (p[1]::DOUBLE - p[2]) ^ 2)))) AS diff_norm FROM ics_vectors WHERE param = 'W' "
                + "GROUP BY run, variant, worker, step, layer ORDER BY run, variant, worker, step, layer";
        List<List<Object>> rows = spark(onSpark);
        assertEquals(2 * 2 * 2 * 4 * SmallRun.LAYERS, rows.size());
        assertSameRows("diff_norm", rows, duckdb(onDuckDb));
    }

    private static List<List<Object>> spark(String query) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : spark.sql(query).collectAsList()) {
            List<Object> row = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                row.add(r.get(i));
            }
            out.add(row);
        }
        return out;
    }

    private static List<List<Object>> duckdb(String query) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private static void assertSameRows(String what, List<List<Object>> spark, List<List<Object>> duckdb) {
        assertEquals(spark.size(), duckdb.size(), what + ": rows");
        for (int i = 0; i < spark.size(); i++) {
            List<Object> a = spark.get(i);
            List<Object> b = duckdb.get(i);
            assertEquals(a.size(), b.size(), what + " row " + i);
            for (int j = 0; j < a.size(); j++) {
                Object x = a.get(j);
                Object y = b.get(j);
                if (x instanceof Number nx && y instanceof Number ny) {
                    double dx = nx.doubleValue();
                    double dy = ny.doubleValue();
                    assertTrue(Math.abs(dx - dy) <= TOLERANCE * Math.max(1, Math.abs(dx)),
                            what + " row " + i + " column " + j + ": Spark " + x + ", DuckDB " + y);
                } else {
                    assertEquals(String.valueOf(x), String.valueOf(y), what + " row " + i + " column " + j);
                }
            }
        }
    }
}
