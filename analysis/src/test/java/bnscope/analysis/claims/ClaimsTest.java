package bnscope.analysis.claims;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.GridTables;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.SparkTestSession;
import bnscope.core.BadInputException;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The claims on hand-made grids: a claim that holds, one that fails, one with one seed, one not measured; the gate's exit codes. */
class ClaimsTest {
    private static final SparkSession spark = SparkTestSession.shared();
    private static final AnalyzeOptions OPTIONS = AnalyzeOptions.defaults().withReport(false);

    private static ClaimsTable claims(String dir) {
        return Claims.evaluate(RunDirectory.open(spark, dir), OPTIONS);
    }

    /** Three seeds of standard and batchnorm at lr 0.1 (batchnorm learning {@code bnSpeed}), each seed a little faster. */
    private static GridTables fig1(Path dir, double standardSpeed, double bnSpeed, int seeds) {
        GridTables g = new GridTables(dir);
        for (long seed = 1; seed <= seeds; seed++) {
            g.trainCurve("standard", 0.1, seed, 1200, standardSpeed * (1 + 0.02 * seed), 0.01);
            g.trainCurve("batchnorm", 0.1, seed, 1200, bnSpeed * (1 + 0.02 * seed), 0.01);
        }
        return g;
    }

    @Test
    void batchNormFasterOverThreeSeedsIsReproducedWithTheNumbersBehindIt(@TempDir Path dir) {
        ClaimResult r = claims(fig1(dir, 0.001, 0.004, 3).write(spark)).claim(1);
        assertEquals(Verdict.REPRODUCED, r.verdict(), r.reason());
        // read at the paper's 1,000-step read-off (the cells have 1,200 steps), the last step before it: 999
        assertTrue(r.statistic().contains("after 1000 steps"), r.statistic());
        ClaimResult.Value bn = r.values().stream().filter(v -> v.variant().equals("batchnorm")).findFirst().orElseThrow();
        double[] perSeed = {1, 2, 3};
        double mean = 0;
        for (int i = 0; i < 3; i++) {
            perSeed[i] = 1 - 0.9 * Math.exp(-0.004 * (1 + 0.02 * (i + 1)) * 999);
            mean += perSeed[i] / 3;
        }
        assertEquals(mean, bn.estimate().mean(), 1e-12);
        assertEquals(3, bn.estimate().n());
        assertEquals(0.1, bn.learningRate(), 0);
        double var = 0;
        for (double v : perSeed) {
            var += (v - mean) * (v - mean) / 2;
        }
        assertEquals(Math.sqrt(var), bn.estimate().sd(), 1e-12);
    }

    @Test
    void standardFasterContradictsClaimOne(@TempDir Path dir) {
        ClaimResult r = claims(fig1(dir, 0.004, 0.001, 3).write(spark)).claim(1);
        assertEquals(Verdict.NOT_REPRODUCED, r.verdict(), r.reason());
    }

    @Test
    void oneSeedIsInconclusiveAndSaysSo(@TempDir Path dir) {
        ClaimResult r = claims(fig1(dir, 0.001, 0.004, 1).write(spark)).claim(1);
        assertEquals(Verdict.INCONCLUSIVE, r.verdict());
        assertTrue(r.reason().contains("n = 1"), r.reason());
        assertTrue(r.values().stream().allMatch(v -> v.estimate().n() == 1 && v.estimate().format().contains("(n = 1)")));
    }

    @Test
    void claimsWithoutTheirInputsAreNotMeasured(@TempDir Path dir) {
        ClaimsTable t = claims(fig1(dir, 0.001, 0.004, 2).write(spark));
        // no lr 0.5 cells, no noisy variant, no moments, ics, landscape, ℓp, theory or sharpness tables, not a DLN
        for (int n : List.of(2, 3, 4, 5, 6, 7, 8, 9, 10)) {
            assertEquals(Verdict.NOT_MEASURED, t.claim(n).verdict(), n + ": " + t.claim(n).reason());
        }
        assertTrue(t.claim(2).reason().contains("lr 0.5"), t.claim(2).reason());
        assertTrue(t.text().contains("claims: 1 reproduced, 0 not reproduced, 0 inconclusive, 9 not measured"), t.text());
    }

    @Test
    void standardStuckAtLnTenWhileBatchNormTrainsAtHalf(@TempDir Path dir) {
        GridTables g = new GridTables(dir);
        for (long seed = 1; seed <= 2; seed++) {
            // standard: no learning, loss at ln 10 (speed 0 keeps 2.3 + floor 0.003 ≈ ln 10 = 2.3026)
            g.trainCurve("standard", 0.5, seed, 50, 0, 0.003);
            g.trainCurve("batchnorm", 0.5, seed, 50, 0.1, 0.2);
        }
        ClaimResult r = claims(g.write(spark)).claim(2);
        assertEquals(Verdict.REPRODUCED, r.verdict(), r.reason());
        assertEquals("standard failed in 2 of 2 seeds, batchnorm in 0 of 2", r.reason());
    }

    @Test
    void smootherStandardLandscapeContradictsClaimSix(@TempDir Path dir) {
        GridTables g = new GridTables(dir);
        for (long seed = 1; seed <= 3; seed++) {
            for (long step = 0; step < 100; step += 20) {
                double jitter = 0.01 * seed;
                // columns: variant, lr, seed, step, workers, points, loss_min, loss_max, grad_diff_min, grad_diff_max, beta, beta_max
                g.add(MetricTables.LANDSCAPE_METRICS, "standard", 0.1, seed, step, 2, 8, 2.0, 2.5 + jitter, 1.0, 5.0 + jitter, 3.0 + jitter, 4.0);
                g.add(MetricTables.LANDSCAPE_METRICS, "batchnorm", 0.1, seed, step, 2, 8, 2.0, 4.0 + jitter, 1.0, 9.0 + jitter, 7.0 + jitter, 8.0);
            }
        }
        ClaimResult r = claims(g.write(spark)).claim(6);
        assertEquals(Verdict.NOT_REPRODUCED, r.verdict(), r.reason());
        ClaimResult.Value loss = r.values().stream().filter(v -> v.measure().equals(BatchNormSmoothsLandscape.LOSS_BAND)
                && v.variant().equals("batchnorm")).findFirst().orElseThrow();
        assertEquals(2.02, loss.estimate().mean(), 1e-12);
        assertEquals(0.01, loss.estimate().sd(), 1e-12);
    }

    /** One global k = 1 sharpness row (two workers each) per probed step of a cell: λ_max = {@code lambda(step)}. */
    private static void sharpness(GridTables g, String variant, double lr, long seed, java.util.function.LongToDoubleFunction lambda) {
        sharpness(g, variant, lr, seed, lambda, step -> 1e-6);
    }

    /** The same with the measured residual {@code residual(step)} of each eigenvalue. */
    private static void sharpness(GridTables g, String variant, double lr, long seed, java.util.function.LongToDoubleFunction lambda,
                                  java.util.function.LongToDoubleFunction residual) {
        for (long step = 0; step <= 100; step += 10) {
            for (int worker = 0; worker < 2; worker++) {
                // run_id, lr, seed, worker, split, local_step, step, which, layer, layer_name, parameters, k, eigenvalue, residual,
                // iterations, trace, trace_se, trace_samples, hvp_count, fd_step, variant (the partition)
                g.add(SnapshotTables.SHARPNESS, "grid", lr, seed, worker, (int) step, 0, step, "global", 0, "all", 1000L, 1,
                        lambda.applyAsDouble(step) + (worker == 0 ? -0.5 : 0.5), residual.applyAsDouble(step), 12, Double.NaN, Double.NaN, 0, 13, 1e-9, variant);
            }
        }
    }

    @Test
    void batchNormWithTheLowerLambdaMaxOverThreeSeedsReproducesClaimNineAndOneSeedIsInconclusive(@TempDir Path dir) {
        GridTables g = new GridTables(dir);
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            sharpness(g, "standard", 0.1, seed, step -> 40 + s + step / 10.0);
            sharpness(g, "batchnorm", 0.1, seed, step -> 8 + s);
        }
        sharpness(g, "standard", 0.5, 1, step -> 40);
        sharpness(g, "batchnorm", 0.5, 1, step -> 8);
        ClaimResult r = claims(g.write(spark)).claim(9);
        // lr 0.1: medians 45 + seed (standard: 40 + seed + step/10 over steps 0..100) against 8 + seed; lr 0.5: one seed
        assertEquals(Verdict.INCONCLUSIVE, r.verdict(), r.reason());
        ClaimResult.Value standard = r.values().stream().filter(v -> v.variant().equals("standard") && v.learningRate() == 0.1)
                .findFirst().orElseThrow();
        assertEquals(47.0, standard.estimate().mean(), 1e-12);
        assertEquals(1.0, standard.estimate().sd(), 1e-12);
        assertTrue(r.reason().contains("lr 0.5"), r.reason());

        GridTables lr01 = new GridTables(dir.resolve("lr01"));
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            sharpness(lr01, "standard", 0.1, seed, step -> 40 + s);
            sharpness(lr01, "batchnorm", 0.1, seed, step -> 8 + s);
        }
        assertEquals(Verdict.REPRODUCED, claims(lr01.write(spark)).claim(9).verdict());
    }

    @Test
    void eigenvaluesWhoseResidualSaysTheProductsStraddledKinksAreLeftOutAndCounted(@TempDir Path dir) {
        GridTables g = new GridTables(dir);
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            sharpness(g, "standard", 0.1, seed, step -> 40 + s);
            // from step 60 on the batchnorm probe's products straddled kinks: huge λ, residual 0.5 (5 of 11 steps, 2 workers each; 132 rows in all)
            sharpness(g, "batchnorm", 0.1, seed, step -> step >= 60 ? 2e5 : 8 + s, step -> step >= 60 ? 0.5 : 1e-6);
        }
        ClaimResult r = claims(g.write(spark)).claim(9);
        assertEquals(Verdict.REPRODUCED, r.verdict(), r.reason());
        ClaimResult.Value batchnorm = r.values().stream().filter(v -> v.variant().equals("batchnorm")).findFirst().orElseThrow();
        assertEquals(10.0, batchnorm.estimate().mean(), 1e-12, "only the reliable steps: 8 + seed");
        assertTrue(r.reason().contains("30 of 132 λ_max rows left out: measured residual above 0.05"), r.reason());
        assertTrue(r.statistic().contains("residual ≤ 0.05"), r.statistic());
    }

    @Test
    void deepLinearLambdaMaxSettlingAtTwoOverEtaReproducesClaimTenAndHalfOfItDoesNot(@TempDir Path dir) {
        double eta = 0.01; // 2/η = 200
        GridTables atEdge = new GridTables(dir.resolve("edge")).withConfig("model.kind", "dln").withConfig("dln.samples", 1000)
                .withConfig("train.batch_size", 1000).withConfig("spark.workers", 1);
        GridTables below = new GridTables(dir.resolve("below")).withConfig("model.kind", "dln").withConfig("dln.samples", 1000)
                .withConfig("train.batch_size", 1000).withConfig("spark.workers", 1);
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            // rises to 2/η over the first half, then hovers within ±1%
            sharpness(atEdge, "standard", eta, seed, step -> step < 50 ? 4 * step : 200 * (1 + 0.005 * (s - 2)));
            sharpness(below, "standard", eta, seed, step -> 100 + s);
        }
        ClaimResult edge = claims(atEdge.write(spark)).claim(10);
        assertEquals(Verdict.REPRODUCED, edge.verdict(), edge.reason());
        assertEquals(1.0, edge.values().get(0).estimate().mean(), 1e-12);
        ClaimResult half = claims(below.write(spark)).claim(10);
        assertEquals(Verdict.NOT_REPRODUCED, half.verdict(), half.reason());
        assertEquals(0.51, half.values().get(0).estimate().mean(), 1e-12);
        GridTables minibatch = new GridTables(dir.resolve("minibatch")).withConfig("model.kind", "dln").withConfig("dln.samples", 1000)
                .withConfig("train.batch_size", 100);
        sharpness(minibatch, "standard", eta, 1, step -> 200);
        ClaimResult notFull = claims(minibatch.write(spark)).claim(10);
        assertEquals(Verdict.NOT_MEASURED, notFull.verdict());
        assertTrue(notFull.reason().contains("not full-batch"), notFull.reason());
    }

    /**
     * A cell that stopped part-way (manifest status failed) counts in no statistic: its rows, read at
     * its last recorded step, would pass for a finished cell's. The table names it, in text and JSON.
     */
    @Test
    void cellsThatDidNotFinishAreLeftOutAndNamed(@TempDir Path dir) {
        GridTables g = fig1(dir, 0.001, 0.004, 3);
        for (long seed = 1; seed <= 3; seed++) {
            g.withCell("standard-lr0.1-seed" + seed, "standard", 0.1, seed, "completed", 1200)
                    .withCell("batchnorm-lr0.1-seed" + seed, "batchnorm", 0.1, seed, "completed", 1200);
        }
        // a fourth batchnorm seed stopped at step 600, learning far slower: counted, it would move the mean
        g.trainCurve("batchnorm", 0.1, 4, 600, 0.0001, 0.01).withCell("batchnorm-lr0.1-seed4", "batchnorm", 0.1, 4, "failed", 600);
        ClaimsTable table = claims(g.write(spark));
        ClaimResult r = table.claim(1);
        ClaimResult.Value bn = r.values().stream().filter(v -> v.variant().equals("batchnorm")).findFirst().orElseThrow();
        assertEquals(3, bn.estimate().n(), "the stopped seed is left out");
        assertTrue(r.statistic().contains("after 1000 steps"), "read-off step from finished cells only: " + r.statistic());
        assertEquals(Verdict.REPRODUCED, r.verdict(), r.reason());
        assertEquals(List.of("batchnorm-lr0.1-seed4 (failed, 600 steps done)"), table.leftOutCells());
        assertTrue(table.text().contains("left out: 1 cell(s) that did not finish training"), table.text());
        assertTrue(table.json().contains("\"left_out_cells\" : [ \"batchnorm-lr0.1-seed4 (failed, 600 steps done)\" ]"), table.json());
    }

    @Test
    void theoryChecksOfAnOldSingleRunTakeTheManifestCellAndOneSeedIsInconclusive(@TempDir Path dir) {
        GridTables g = fig1(dir, 0.001, 0.004, 2).withoutCellColumns(SnapshotTables.THEORY_CHECKS);
        // theory_checks as written before the cell columns: run_id, worker, split, local_step, step, layer, layer_name, unit,
        // identity, lhs, rhs, rel_error, variant (the partition)
        for (int unit = 0; unit < 3; unit++) {
            g.add(SnapshotTables.THEORY_CHECKS, "grid", 0, 0, 0, 20L, 2, "conv2", unit, "thm41", 1.0, 1.0, 1e-15, "batchnorm");
            g.add(SnapshotTables.THEORY_CHECKS, "grid", 0, 0, 0, 20L, 2, "conv2", unit, "thm41_printed", 1.1, 1.0, 0.09, "batchnorm");
        }
        ClaimResult r = claims(g.write(spark)).claim(8);
        assertEquals(Verdict.INCONCLUSIVE, r.verdict(), r.reason());
        assertTrue(r.reason().startsWith("batchnorm lr 0.1: n = 1 seed"), r.reason());
        ClaimResult.Value printed = r.values().stream().filter(v -> v.measure().equals(TheoryIdentitiesHold.PRINTED)).findFirst().orElseThrow();
        assertEquals(1.0, printed.estimate().mean(), 0);
        assertEquals(0.1, printed.learningRate(), 0);
    }

    @Test
    void gateExitsThreeWhenAnExpectedClaimIsNotReproducedAndFourWhenUndecided(@TempDir Path dir) {
        String contradicted = fig1(dir.resolve("a"), 0.004, 0.001, 3).write(spark);
        String reproduced = fig1(dir.resolve("b"), 0.001, 0.004, 3).write(spark);
        assertEquals(ClaimsCheck.NOT_REPRODUCED, run(contradicted, List.of(1), ClaimsCheck.Format.TEXT));
        assertEquals(0, run(reproduced, List.of(1), ClaimsCheck.Format.TEXT));
        assertEquals(0, run(contradicted, List.of(), ClaimsCheck.Format.TEXT));
        assertEquals(ClaimsCheck.UNDECIDED, run(reproduced, List.of(1, 2), ClaimsCheck.Format.TEXT));
        assertEquals(ClaimsCheck.NOT_REPRODUCED, run(contradicted, List.of(1, 2), ClaimsCheck.Format.TEXT));
    }

    @Test
    void jsonCarriesTheSameVerdictsAndNullForUndefinedSpread(@TempDir Path dir) throws Exception {
        String run = fig1(dir, 0.001, 0.004, 1).write(spark);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ClaimsCheck.run(spark, run, OPTIONS, ClaimsCheck.Format.JSON, List.of(), new PrintStream(out, true, StandardCharsets.UTF_8));
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(Claims.all().size(), json.path("claims").size());
        assertEquals(10, Claims.all().size());
        JsonNode first = json.path("claims").get(0);
        assertEquals("inconclusive", first.path("verdict").asText());
        assertTrue(first.path("values").get(0).path("sd").isNull());
        assertEquals(1, first.path("values").get(0).path("n").asInt());
    }

    @Test
    void unknownExpectedClaimAndUnanalyzedRunAreBadInput(@TempDir Path dir) {
        BadInputException e = assertThrows(BadInputException.class, () -> Claims.parseNumbers("1,42"));
        assertTrue(e.getMessage().contains("there is no claim 42"), e.getMessage());
        assertThrows(BadInputException.class, () -> Claims.parseNumbers("1,x"));
        BadInputException none = assertThrows(BadInputException.class,
                () -> run(dir.toString(), List.of(), ClaimsCheck.Format.TEXT));
        assertTrue(none.getMessage().contains("analyze"), none.getMessage());
    }

    private static int run(String dir, List<Integer> expected, ClaimsCheck.Format format) {
        return ClaimsCheck.run(spark, dir, OPTIONS, format, expected, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
