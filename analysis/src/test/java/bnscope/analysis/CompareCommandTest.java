package bnscope.analysis;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static bnscope.core.tables.MetricTables.LANDSCAPE_METRICS;
import static bnscope.core.tables.MetricTables.MOMENTS;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class CompareCommandTest {
    private static final SparkSession spark = SparkTestSession.shared();

    private static String analyzed(Path dir, String id) {
        String run = SmallRun.write(dir, id);
        assertEquals(0, AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults().withReport(false),
                new PrintStream(new ByteArrayOutputStream())));
        return run;
    }

    private static String copy(Path from, Path to) {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to.toString();
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces a metric table of {@code run} with a transformed copy (read fully before overwriting). */
    private static void rewrite(String run, bnscope.core.tables.TableSchema table,
                                java.util.function.UnaryOperator<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> change) {
        RunDirectory rd = RunDirectory.open(spark, run);
        var rows = rd.read(table).collectAsList();
        var copy = spark.createDataFrame(rows, SparkTableSchema.dataType(table));
        change.apply(copy).write().mode(SaveMode.Overwrite).parquet(rd.tablePath(table).toString());
    }

    @Test
    void identicalRerunAgreesAndPerturbedOrMissingRowsDiffer(@TempDir Path dir) {
        String a = analyzed(dir.resolve("a"), "run");
        // the re-run of a deterministic run: the same files
        String b = copy(Path.of(a), dir.resolve("b"));

        CompareCommand.Result same = CompareCommand.compare(spark, a, b, CompareCommand.DEFAULT_TOLERANCE);
        assertTrue(same.identical(), same.render());
        assertEquals(4, same.lines().stream().filter(l -> l.column().equals(CompareCommand.KEYS)).count());
        assertTrue(same.lines().stream().filter(l -> !l.column().equals(CompareCommand.KEYS))
                .allMatch(l -> l.overTolerance() == 0 && (l.maxAbsDiff() == 0 || Double.isNaN(l.maxAbsDiff()))), same.render());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, CompareCommand.report(same, new PrintStream(console)));
        assertTrue(console.toString().contains("runs agree"));

        // one value moved by 1e-3 relative, and one landscape step dropped from run B
        rewrite(b, MOMENTS, df -> df.withColumn("variance",
                when(col("variant").equalTo("batchnorm").and(col("layer").equalTo(2)).and(col("step").equalTo(20)),
                        col("variance").multiply(1.001)).otherwise(col("variance"))));
        rewrite(b, LANDSCAPE_METRICS, df -> df.where(not(col("variant").equalTo("standard").and(col("step").equalTo(30)))));
        deleteTree(Path.of(b).resolve("curves"));

        CompareCommand.Result diff = CompareCommand.compare(spark, a, b, CompareCommand.DEFAULT_TOLERANCE);
        assertFalse(diff.identical());
        List<CompareCommand.Line> lines = diff.differences();
        assertEquals(List.of("moments", "landscape_metrics", "curves"), lines.stream().map(CompareCommand.Line::table).toList(), diff.render());
        assertEquals("table missing in run B", lines.get(2).note());
        CompareCommand.Line variance = lines.stream().filter(l -> l.table().equals("moments")).findFirst().orElseThrow();
        assertEquals("variance", variance.column(), diff.render());
        assertEquals(1, variance.overTolerance());
        assertEquals(0.001 / 1.001, variance.maxRelDiff(), 1e-9);
        CompareCommand.Line keys = lines.stream().filter(l -> l.table().equals("landscape_metrics")).findFirst().orElseThrow();
        assertEquals(CompareCommand.KEYS, keys.column());
        assertEquals(1, keys.onlyInA());
        assertEquals(0, keys.onlyInB());
        assertEquals(8, keys.rowsA());
        assertEquals(7, keys.rowsB());

        console.reset();
        assertEquals(1, CompareCommand.report(diff, new PrintStream(console, true, StandardCharsets.UTF_8)));
        String out = console.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("moments.variance 1 rows over tolerance"), out);
        assertTrue(out.contains("landscape_metrics 1 keys only in A"), out);
        assertTrue(out.contains("curves table missing in run B"), out);

        // a looser tolerance accepts the moved value
        RunDirectory ra = RunDirectory.open(spark, a);
        RunDirectory rb = RunDirectory.open(spark, b);
        List<CompareCommand.Line> loose = CompareCommand.compareTable(MOMENTS, ra.read(MOMENTS), rb.read(MOMENTS), 1e-2);
        assertTrue(loose.stream().allMatch(l -> l.overTolerance() == 0), loose.toString());
        assertEquals(0.001 / 1.001, loose.stream().filter(l -> l.column().equals("variance")).findFirst().orElseThrow().maxRelDiff(), 1e-9);
    }

    @Test
    void aDirectoryWithoutManifestIsNoRunAndBadInput(@TempDir Path dir) throws IOException {
        String a = analyzed(dir.resolve("a"), "run");
        Path empty = Files.createDirectories(dir.resolve("not-a-run"));
        // the same tables without the manifest: still no run
        String tablesOnly = copy(Path.of(a), dir.resolve("tables-only"));
        Files.delete(Path.of(tablesOnly, RunDirectory.MANIFEST));
        for (String other : List.of(empty.toString(), tablesOnly)) {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            bnscope.core.BadInputException e = assertThrows(bnscope.core.BadInputException.class,
                    () -> CompareCommand.run(spark, a, other, CompareCommand.DEFAULT_TOLERANCE, new PrintStream(console)));
            assertTrue(e.getMessage().contains(other + " (run B) holds no run: there is no manifest.json in it"), e.getMessage());
            assertFalse(console.toString().contains("DIFFER"), console.toString());
        }
        bnscope.core.BadInputException first = assertThrows(bnscope.core.BadInputException.class,
                () -> CompareCommand.compare(spark, empty.toString(), a, CompareCommand.DEFAULT_TOLERANCE));
        assertTrue(first.getMessage().contains("(run A) holds no run"), first.getMessage());
    }
}
