package bnscope.analysis;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The shell's background warm-up: what it runs, that it runs to its end, and that the user's first statement stops it. */
class ShellWarmUpTest {
    private static final SparkSession spark = SparkTestSession.shared();

    @Test
    void oneGenericAggregatePerViewAndAJoinOfCurves() {
        Map<String, List<String>> views = new LinkedHashMap<>();
        views.put("metrics", List.of("run", "variant", "step", "loss"));
        views.put("surface", List.of("run", "alpha", "beta"));
        views.put("curves", List.of("run", "variant", "step", "kind"));
        List<String> q = ShellWarmUp.queries(views);
        assertEquals(4, q.size(), q.toString());
        assertEquals("SELECT run, variant, count(*) AS n, max(step) AS last_step FROM metrics GROUP BY run, variant ORDER BY run, variant", q.get(0));
        assertEquals("SELECT run, count(*) AS n FROM surface GROUP BY run ORDER BY run", q.get(1), "keys the view has, no step column");
        assertTrue(q.get(3).contains("FROM curves c JOIN"), q.get(3));
    }

    @Test
    void runsEveryQueryToItsEndOnARealRunAndPrintsNothing(@TempDir Path dir) {
        RunViews views = RunViews.register(spark, List.of(RunDirectory.open(spark, SmallRun.write(dir.resolve("run"), "warm"))));
        ShellWarmUp warmUp = new ShellWarmUp(spark, views);
        assertEquals(views.views().size(), warmUp.size(), "no curves view in a run not analyzed: one query per view");
        assertTrue(warmUp.size() >= 4, views.views().keySet().toString());
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            warmUp.run();
        } finally {
            System.setOut(out);
        }
        assertEquals(warmUp.size(), warmUp.completed(), "every query ran (a failing one would be skipped and not counted)");
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void stoppedItRunsNoFurtherQueryAndTheSessionAnswersTheUser(@TempDir Path dir) throws Exception {
        String run = SmallRun.write(dir.resolve("run"), "warm");
        RunViews views = RunViews.register(spark, List.of(RunDirectory.open(spark, run)));
        ShellWarmUp early = new ShellWarmUp(spark, views);
        early.stop(); // the user typed before the views were ready
        early.run();
        assertEquals(0, early.completed());

        ShellWarmUp warmUp = new ShellWarmUp(spark, views);
        Thread t = new Thread(warmUp, "warm-up");
        t.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (warmUp.completed() == 0 && t.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        warmUp.stop();
        t.join(30_000);
        assertFalse(t.isAlive(), "the warm-up ends when stopped");
        assertTrue(warmUp.completed() >= 1 && warmUp.completed() <= warmUp.size(), warmUp.completed() + " of " + warmUp.size());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, SqlCommand.execute(spark, views, "SELECT count(*) AS train_rows FROM metrics WHERE kind = 'train'", SqlCommand.Options.print(),
                new PrintStream(console, true, StandardCharsets.UTF_8)));
        String answer = console.toString(StandardCharsets.UTF_8);
        int expected = SmallRun.VARIANTS.size() * 2 * SmallRun.STEPS; // variants x 2 workers x steps
        assertTrue(answer.matches("(?s).*\\b" + expected + "\\b.*"), answer);
    }
}
