package bnscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The theory job on a real (tiny) training run: the BatchNorm statements the paper claims hold on
 * the run's own checkpoints and minibatches, the printed 1/√m form of Theorem 4.1 fails, every
 * (variant, step, layer, unit, identity) has exactly one row, a re-run replaces rows instead of adding
 * them, and bad run directories end in one clear message.
 *
 * <p>Tolerances: Fact C.1 and Theorem 4.1 compare DL4J's BatchNorm backprop with closed forms, both
 * in double precision over at most 16,384 values per unit: rounding leaves ~1e-14, so 1e-10 is a
 * bound with room and still catches any error in the formulas or in ε (ε = 1e-5 left in would
 * give ~1e-5). Theorem 4.2 measures two Hessian quadratic forms by central differences of
 * gradients through the network with a relative step of 1e-5: rounding leaves ~1e-13/1e-5 = 1e-8
 * (measured medians 1e-8, maxima below 1e-7 on vgg-mini checkpoints), truncation ~1e-10; asserted
 * at 1e-5, which leaves room for a rare difference that straddles a ReLU or max-pool kink.
 */
@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class TheoryJobTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @TempDir
    static Path tmp;
    static Path run;
    static String theoryOut;

    @BeforeAll
    static void trainThenCheck() {
        run = tmp.resolve("run");
        // batch 32 (16 per worker) keeps the double-precision passes of the theory job short
        MainOutcome train = MainOutcome.trainTiny(run, 10, "probe.enabled=false");
        assertEquals(0, train.status(), train.err());
        MainOutcome theory = MainOutcome.of("theory", run.toString());
        assertEquals(0, theory.status(), theory.err());
        theoryOut = theory.out();
        System.out.println(theoryOut);
    }

    private static SparkSession spark() {
        return SparkSession.builder().getOrCreate();
    }

    private static void view(String name) {
        spark().read().parquet(run.resolve("theory_checks").toString()).createOrReplaceTempView(name);
    }

    @Test
    void claimedStatementsHoldOnTheRunsCheckpointsAndThePrintedFormFails() {
        view("t");
        Map<String, Row> byIdentity = new LinkedHashMap<>();
        for (Row r : spark().sql("SELECT identity, count(*), max(rel_error), avg(CASE WHEN lhs > rhs * (1 + 1e-6) THEN 1D ELSE 0D END), "
                + "min(step), max(step), count(DISTINCT step), count(DISTINCT layer), min(worker), max(worker) "
                + "FROM t GROUP BY identity").collectAsList()) {
            byIdentity.put(r.getString(0), r);
        }
        assertEquals(List.of("fact_c1", "thm41", "thm41_printed", "thm42"), byIdentity.keySet().stream().sorted().toList());
        assertTrue(byIdentity.get("fact_c1").getDouble(2) <= 1e-10, "Fact C.1: " + byIdentity.get("fact_c1"));
        assertTrue(byIdentity.get("thm41").getDouble(2) <= 1e-10, "Theorem 4.1 (1/m): " + byIdentity.get("thm41"));
        assertTrue(byIdentity.get("thm42").getDouble(2) <= 1e-5, "Theorem 4.2: " + byIdentity.get("thm42"));
        double printedFails = byIdentity.get("thm41_printed").getDouble(3);
        assertTrue(printedFails >= 0.9, "the printed 1/sqrt(m) form should fail on most units: " + printedFails);
        for (Row r : byIdentity.values()) {
            assertEquals(5L, r.getLong(4), "checkpoints at steps 5 and 10: " + r);
            assertEquals(10L, r.getLong(5), r.toString());
            assertEquals(7L, r.getLong(7), "vgg-mini has 7 BatchNorm layers: " + r);
            assertEquals(-1, r.getInt(8), "rows are computed on the driver");
            assertEquals(-1, r.getInt(9));
        }
        // vgg-mini's 16-channel conv1 layers are checked in full, the others' first 4 units; Theorem 4.2 on 2 per layer
        assertEquals(2L * (16 + 16 + 5 * 4), byIdentity.get("fact_c1").getLong(1));
        assertEquals(2L * 7 * 2, byIdentity.get("thm42").getLong(1));
        Row keys = spark().sql("SELECT count(*), count(DISTINCT variant, step, layer, unit, identity) FROM t").first();
        assertEquals(keys.getLong(0), keys.getLong(1), "one row per (variant, step, layer, unit, identity)");
        assertTrue(theoryOut.contains("thm41_printed") && theoryOut.contains("fails on"), theoryOut);
        assertTrue(theoryOut.contains("fact_c1") && theoryOut.contains("median"), theoryOut);
    }

    @Test
    void reRunningAStepReplacesItsRowsAndRecordsTheSettings() throws IOException {
        Path copy = copyRun("rerun", true, true);
        MainOutcome o = MainOutcome.of("theory", copy.toString(), "--steps", "10", "--units", "1", "--hessian-units", "0");
        assertEquals(0, o.status(), o.err());
        spark().read().parquet(copy.resolve("theory_checks").toString()).createOrReplaceTempView("rerun");
        List<Row> perStep = spark().sql("SELECT step, count(*), count(DISTINCT identity) FROM rerun GROUP BY step ORDER BY step")
                .collectAsList();
        assertEquals(2, perStep.size());
        assertEquals(3L * (16 + 16 + 5 * 4) + 2 * 7, perStep.get(0).getLong(1), "step 5 keeps the first run's rows");
        assertEquals(3L * (16 + 16 + 5), perStep.get(1).getLong(1), "step 10 now has one unit per large layer, no Theorem 4.2");
        assertEquals(3L, perStep.get(1).getLong(2));
        String manifest = Files.readString(copy.resolve("manifest.json"));
        assertTrue(manifest.contains("\"theory\"") && manifest.contains("1.0E-100"), manifest);
    }

    @Test
    void anIdentityAboveItsToleranceMakesTheExitStatusOne() throws IOException {
        Path copy = copyRun("strict", true, false);
        // Fact C.1 and Theorem 4.1 hold to ~1e-15 in double precision: 1e-18 is below their rounding
        MainOutcome o = MainOutcome.of("theory", copy.toString(), "--steps", "10", "--units", "1", "--hessian-units", "0", "--tolerance", "1e-18");
        assertEquals(1, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("FAIL") && o.out().contains("fact_c1") && o.out().contains("1.0E-18"), o.out());
        assertTrue(Files.exists(copy.resolve("theory_checks")), "the rows are written either way");
        assertTrue(theoryOut.contains("thm41_printed") && !theoryOut.contains("FAIL"), "default tolerance: status 0 " + theoryOut);
    }

    @Test
    void missingRunDirectoryManifestOrCheckpointsAreNamed() throws IOException {
        MainOutcome o = MainOutcome.of("theory", tmp.resolve("no-such-run").toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("no-such-run") && o.err().contains("does not exist"), o.err());

        Path empty = Files.createDirectories(tmp.resolve("empty-run"));
        o = MainOutcome.of("theory", empty.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("manifest.json"), o.err());

        Path noCheckpoints = copyRun("no-checkpoints", false, false);
        o = MainOutcome.of("theory", noCheckpoints.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("No checkpoints") && o.err().contains("batchnorm"), o.err());

        o = MainOutcome.of("theory", run.toString(), "--steps", "7");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("No checkpoints") && o.err().contains("[7]"), o.err());

        o = MainOutcome.of("theory", run.toString(), "--units", "0");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--units"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void runsWithoutBatchNormAreRefusedWithTheReason() throws IOException {
        Path vgg = copyRun("standard-only", true, false);
        editConfig(vgg, Map.of("train.variants", List.of("standard", "l2")));
        MainOutcome o = MainOutcome.of("theory", vgg.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("no BatchNorm variant") && o.err().contains("[standard, l2]"), o.err());
        assertFalse(o.err().contains("deep linear"), o.err());

        Path dln = copyRun("dln-standard", true, false);
        editConfig(dln, Map.of("model.kind", "dln", "train.variants", List.of("standard", "l1"), "train.batch_size", 1000,
                "dln.samples", 1000));
        o = MainOutcome.of("theory", dln.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("deep linear network") && o.err().contains("Section 4"), o.err());
    }

    @Test
    void dataThatDiffersFromTheManifestIsRefused() throws IOException {
        Path changed = copyRun("changed-data", true, false);
        Map<String, Object> manifest = readManifest(changed);
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) ((Map<String, Object>) manifest.get("data")).get("channel_statistics");
        stats.put("mean_red", (Double) stats.get("mean_red") + 0.01);
        JSON.writeValue(changed.resolve("manifest.json").toFile(), manifest);
        MainOutcome o = MainOutcome.of("theory", changed.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("does not match") && o.err().contains("channel_statistics"), o.err());
        assertFalse(Files.exists(changed.resolve("theory_checks")), "nothing written");
    }

    @Test
    void aRecordedDataDirectoryThatCannotBeCheckedIsNamedNotSkipped() throws IOException {
        Path unreachable = copyRun("unreachable-data", true, false);
        Map<String, Object> manifest = readManifest(unreachable);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = ((List<Map<String, Object>>) ((Map<String, Object>) manifest.get("data")).get("training_files")).get(0);
        first.put("path", "nosuchfs://namenode/cifar/data_batch_1.bin");
        JSON.writeValue(unreachable.resolve("manifest.json").toFile(), manifest);
        MainOutcome o = MainOutcome.of("theory", unreachable.toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("Cannot check the run's recorded training data directory")
                && o.err().contains("nosuchfs://namenode/cifar"), o.err());
        assertFalse(Files.exists(unreachable.resolve("theory_checks")), "nothing written");
    }

    @Test
    void theoryIsRefusedWhileAnotherCommandWritesTheRun() throws Exception {
        Path busy = copyRun("busy", true, false);
        try (bnscope.core.run.RunLock lock = bnscope.core.run.RunLock.acquire(new org.apache.hadoop.fs.Path(busy.toString()),
                new org.apache.hadoop.conf.Configuration(), "train --resume conf/default.conf", false, System.out)) {
            MainOutcome o = MainOutcome.of("theory", busy.toString());
            assertEquals(2, o.status(), o.err());
            assertTrue(o.err().contains("is being written by `train --resume conf/default.conf`"), o.err());
        }
        assertFalse(Files.exists(busy.resolve("theory_checks")), "nothing written");
    }

    /** A copy of the trained run's manifest, with its checkpoints and theory_checks table if asked. */
    private static Path copyRun(String name, boolean checkpoints, boolean theoryTable) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve(name));
        Files.copy(run.resolve("manifest.json"), copy.resolve("manifest.json"));
        if (checkpoints) {
            Trees.copy(run.resolve("checkpoints"), copy.resolve("checkpoints"));
        }
        if (theoryTable) {
            Trees.copy(run.resolve("theory_checks"), copy.resolve("theory_checks"));
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readManifest(Path runDir) throws IOException {
        return JSON.readValue(runDir.resolve("manifest.json").toFile(), LinkedHashMap.class);
    }

    @SuppressWarnings("unchecked")
    private static void editConfig(Path runDir, Map<String, Object> changes) throws IOException {
        Map<String, Object> manifest = readManifest(runDir);
        ((Map<String, Object>) manifest.get("config")).putAll(changes);
        JSON.writeValue(runDir.resolve("manifest.json").toFile(), manifest);
    }

    @Test
    void aGridIsCheckedCellByCell() {
        Path grid = tmp.resolve("grid");
        MainOutcome train = MainOutcome.trainTiny(grid, 5, "probe.enabled=false", "train.seeds=[1,2]", "spark.workers=1");
        assertEquals(0, train.status(), train.err());
        MainOutcome o = MainOutcome.of("theory", grid.toString(), "--units", "1", "--hessian-units", "0");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("[batchnorm-lr0.1-seed1] step 5") && o.out().contains("[batchnorm-lr0.1-seed2] step 5"), o.out());
        spark().read().parquet(grid.resolve("theory_checks").toString()).createOrReplaceTempView("grid_checks");
        List<Row> bySeed = spark().sql("SELECT seed, count(*), max(learning_rate), max(CASE WHEN identity IN ('fact_c1', 'thm41') "
                + "THEN rel_error END) FROM grid_checks GROUP BY seed ORDER BY seed").collectAsList();
        assertEquals(List.of(1L, 2L), bySeed.stream().map(r -> r.getLong(0)).toList(), bySeed.toString());
        assertEquals(bySeed.get(0).getLong(1), bySeed.get(1).getLong(1), "the same units of both cells: " + bySeed);
        for (Row r : bySeed) {
            assertEquals(0.1, r.getDouble(2));
            assertTrue(r.getDouble(3) <= 1e-10, "Fact C.1 and Theorem 4.1 on each cell's own checkpoint: " + r);
        }
    }
}
