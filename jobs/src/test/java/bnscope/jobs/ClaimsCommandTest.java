package bnscope.jobs;

import bnscope.analysis.SparkTableSchema;
import bnscope.core.tables.MetricTables;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code ./submit.sh claims}: the table of a real (tiny, one-seed) run, the gate's exit statuses and its bad input. */
@Tag("slow") // trains a tiny run first
class ClaimsCommandTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainAndAnalyze() {
        run = tmp.resolve("run");
        MainOutcome train = MainOutcome.trainTiny(run, 10);
        assertEquals(0, train.status(), train.err());
        MainOutcome analyze = MainOutcome.of("analyze", run.toString());
        assertEquals(0, analyze.status(), analyze.err());
    }

    @Test
    void oneSeedRunPrintsEveryClaimAndTheGateCannotPassOnIt() {
        MainOutcome all = MainOutcome.of("claims", run.toString());
        assertEquals(0, all.status(), all.err());
        for (int n = 1; n <= 10; n++) {
            assertTrue(all.out().contains("\n" + n + ". "), "claim " + n + " listed:\n" + all.out());
        }
        // batchnorm only: claim 1 needs the standard net; no theory_checks: claim 8
        assertTrue(all.out().contains("the run has no standard and batchnorm cells at lr 0.1"), all.out());
        assertTrue(all.out().contains("claims: 0 reproduced, 0 not reproduced"), all.out());

        MainOutcome gate = MainOutcome.of("claims", run.toString(), "--expect", "1,8");
        assertEquals(4, gate.status(), gate.out() + gate.err());
        assertTrue(gate.out().contains("expected claims undecided (inconclusive or not measured): [1, 8] (exit 4)"), gate.out());
    }

    @Test
    void jsonListsTheClaimsWithTheirVerdicts() throws Exception {
        MainOutcome json = MainOutcome.of("claims", run.toString(), "--format", "json");
        assertEquals(0, json.status(), json.err());
        String body = json.out().substring(json.out().indexOf('{'));
        JsonNode claims = new ObjectMapper().readTree(body).path("claims");
        assertEquals(10, claims.size());
        assertEquals("not measured", claims.get(0).path("verdict").asText());
    }

    @Test
    void contradictedExpectedClaimExitsThree() throws Exception {
        Path copy = tmp.resolve("contradicted");
        Trees.copy(run, copy);
        // two seeds each of standard and batchnorm at lr 0.1, the standard net learning four times as fast
        List<Row> rows = new ArrayList<>();
        for (String variant : List.of("standard", "batchnorm")) {
            for (long seed = 1; seed <= 2; seed++) {
                double speed = (variant.equals("standard") ? 0.08 : 0.02) * (1 + 0.05 * seed);
                for (long step = 0; step < 60; step++) {
                    double acc = 1 - 0.9 * Math.exp(-speed * step);
                    rows.add(RowFactory.create(variant, 0.1, seed, "train", step, 32L, 2.3 * (1 - acc), acc, 2.3 * (1 - acc), acc));
                }
            }
        }
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        spark.createDataFrame(rows, SparkTableSchema.dataType(MetricTables.CURVES)).write().mode(SaveMode.Overwrite)
                .parquet(copy.resolve("curves").toString());
        MainOutcome gate = MainOutcome.of("claims", copy.toString(), "--expect", "1");
        assertEquals(3, gate.status(), gate.out() + gate.err());
        assertTrue(gate.out().contains("expected claims NOT reproduced: [1]"), gate.out());
    }

    @Test
    void badExpectationsFormatsAndUnanalyzedRunsAreBadInput() {
        MainOutcome unknown = MainOutcome.of("claims", run.toString(), "--expect", "1,42");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("there is no claim 42"), unknown.err());
        MainOutcome format = MainOutcome.of("claims", run.toString(), "--format", "xml");
        assertEquals(2, format.status());
        assertTrue(format.err().contains("expected text or json"), format.err());
        MainOutcome empty = MainOutcome.of("claims", tmp.toString());
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("./submit.sh analyze"), empty.err());
    }
}
