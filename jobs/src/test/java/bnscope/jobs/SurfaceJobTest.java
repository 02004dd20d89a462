package bnscope.jobs;

import bnscope.core.config.RunConfig;
import bnscope.core.data.TrainingData;
import bnscope.core.surface.SurfaceSeeds;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The surface job on a real tiny training run (vgg-mini with BatchNorm, 10 steps, checkpoints at 5
 * and 10): with the first attempt of one Spark task failing after it staged a row, every point has
 * exactly one row and nothing stays staged; the centre point's loss and accuracy are the checkpoint's
 * own on the recorded sample (computed here independently, from the checkpoint file and the data);
 * the line runs from near ln 10 at the initial weights to the checkpoint; a re-run replaces the
 * step's rows; bad input ends in one paragraph with exit status 2.
 */
@Tag("slow") // trains a run and starts Spark several times: over a minute on the shared 2-core machine
class SurfaceJobTest {
    @TempDir
    static Path tmp;
    static Path run;
    static MainOutcome surface;

    @BeforeAll
    static void trainThenSurface() {
        // bnscope commands share the JVM's session: start it with one retry per task, so the injected failure is retried
        SparkSession.builder().master("local[2,2]").appName("surface-test").getOrCreate();
        run = tmp.resolve("run");
        MainOutcome train = MainOutcome.trainTiny(run, 10, "probe.enabled=false");
        assertEquals(0, train.status(), train.err());
        System.setProperty(SurfaceTask.FAIL_PROPERTY, "1");
        try {
            surface = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "10", "--grid", "5x5",
                    "--sample", "64", "--line-points", "3", "--partitions", "4");
        } finally {
            System.clearProperty(SurfaceTask.FAIL_PROPERTY);
        }
        System.out.println(surface.out());
        assertEquals(0, surface.status(), surface.out() + surface.err());
    }

    private static Dataset<Row> table() {
        return SparkSession.builder().getOrCreate().read().parquet(run.resolve("surface").toString());
    }

    @Test
    void everyPointHasExactlyOneRowAfterATaskAttemptFailedHalfway() {
        assertTrue(surface.out().contains("28 rows committed") && surface.out().contains("1 discarded attempts"), surface.out());
        Dataset<Row> rows = table();
        assertEquals(28, rows.count(), "25 plane points + 3 line points");
        assertEquals(28, rows.select("kind", "i", "j").distinct().count());
        assertEquals(25, rows.where("kind = 'plane'").count());
        assertEquals(4, rows.select(org.apache.spark.sql.functions.input_file_name()).distinct().count(), "one file per task");
        assertFalse(Files.exists(run.resolve("_staging")), "nothing left staged");
        Row keys = rows.selectExpr("min(worker)", "max(worker)", "min(step)", "max(step)", "min(examples)", "max(direction_seed)").first();
        assertEquals(-1, keys.getInt(0));
        assertEquals(-1, keys.getInt(1));
        assertEquals(10L, keys.getLong(2));
        assertEquals(10L, keys.getLong(3));
        assertEquals(64, keys.getInt(4));
        assertEquals(42L, keys.getLong(5), "default direction seed: the run's seed (conf/default.conf run.seed = 42)");
    }

    @Test
    void theCentrePointIsTheCheckpointsLossOnTheSampleAndTheLineEndsThere() {
        Configuration hadoop = new Configuration();
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(run.toUri());
        RunManifest manifest = RunManifest.read(dir, hadoop);
        RunConfig config = RecordedRun.configOf(manifest, dir);
        TrainingData data = RecordedRun.reopenData(config, manifest, dir, 10, hadoop, new PrintStream(new ByteArrayOutputStream()), "test");
        DataSet sample = data.trainingSample(64, SurfaceSeeds.of(42).sample());
        MultiLayerNetwork checkpoint = new Checkpoints(dir, "batchnorm-lr0.1-seed42", hadoop).load(10);
        double loss = checkpoint.score(sample, false);
        double accuracy = checkpoint.output(sample.getFeatures(), false).argMax(1).eq(sample.getLabels().argMax(1))
                .castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().doubleValue() / 64;

        Row centre = table().where("kind = 'plane' AND i = 2 AND j = 2").select("alpha", "beta", "loss", "accuracy").first();
        assertEquals(0.0, centre.getDouble(0));
        assertEquals(0.0, centre.getDouble(1));
        assertEquals(loss, centre.getDouble(2), 1e-6 * loss, "centre loss = the checkpoint's loss on the sample");
        assertEquals(accuracy, centre.getDouble(3), 1e-12);

        List<Row> line = table().where("kind = 'line'").orderBy("i").select("alpha", "loss").collectAsList();
        assertEquals(List.of(0.0, 0.5, 1.0), line.stream().map(r -> r.getDouble(0)).toList());
        assertEquals(loss, line.get(2).getDouble(1), 1e-4 * loss, "t = 1 is the checkpoint (up to float rounding of θ0 + (θN − θ0))");
        assertEquals(Math.log(10), line.get(0).getDouble(1), 0.15, "t = 0: the untrained network, near ln 10 on 10 classes");
        double corner = table().where("kind = 'plane' AND i = 0 AND j = 0").first().getAs("loss");
        assertTrue(corner > loss, "a corner of the plane, a full filter norm away, is worse than the checkpoint: " + corner + " vs " + loss);
        String recorded = readManifest();
        assertTrue(recorded.contains("\"surfaces\"") && recorded.contains("batchnorm-lr0.1-seed42@10"), recorded);
    }

    @Test
    void aReRunWithAnotherGridReplacesTheStepsRows() throws Exception {
        Path copy = tmp.resolve("rerun");
        Trees.copy(run, copy);
        MainOutcome o = MainOutcome.of("surface", copy.toString(), "--variant", "batchnorm", "--step", "10", "--grid", "3x3",
                "--sample", "32", "--line-points", "0");
        assertEquals(0, o.status(), o.out() + o.err());
        Dataset<Row> rows = SparkSession.builder().getOrCreate().read().parquet(copy.resolve("surface").toString());
        assertEquals(9, rows.count(), "the 5x5 surface's rows are gone");
        assertEquals(32, (int) rows.first().<Integer>getAs("examples"));
    }

    @Test
    void badInputEndsInOneParagraphWithExitStatusTwo() {
        MainOutcome noCheckpoint = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "7");
        assertEquals(2, noCheckpoint.status());
        assertTrue(noCheckpoint.err().contains("No checkpoint of step 7") && noCheckpoint.err().contains("[5, 10]"), noCheckpoint.err());

        MainOutcome tooLarge = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "5", "--grid", "201x201",
                "--sample", "2000", "--max-minutes", "1");
        assertEquals(2, tooLarge.status());
        assertTrue(tooLarge.err().contains("201x201") && tooLarge.err().contains("example forward passes")
                && tooLarge.err().contains("--max-minutes 1") && tooLarge.err().contains("fits"), tooLarge.err());

        MainOutcome variant = MainOutcome.of("surface", run.toString(), "--variant", "standard", "--step", "10");
        assertEquals(2, variant.status());
        assertTrue(variant.err().contains("did not train variant standard"), variant.err());

        MainOutcome cell = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "10", "--lr", "0.5");
        assertEquals(2, cell.status());
        assertTrue(cell.err().contains("no cell batchnorm at --lr 0.5") && cell.err().contains("[0.1]"), cell.err());

        MainOutcome sample = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "10", "--sample", "100000");
        assertEquals(2, sample.status());
        assertTrue(sample.err().contains("5000 training examples"), sample.err());

        MainOutcome grid = MainOutcome.of("surface", run.toString(), "--variant", "batchnorm", "--step", "10", "--grid", "31");
        assertEquals(2, grid.status());
        assertTrue(grid.err().contains("COLUMNSxROWS"), grid.err());
        for (MainOutcome o : List.of(noCheckpoint, tooLarge, variant, cell, sample, grid)) {
            assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        }
        assertFalse(Files.exists(run.resolve("surface").resolve("variant=batchnorm").resolve("surface-t000000005-p0000.parquet")),
                "refused surfaces write nothing");
    }

    private static String readManifest() {
        try {
            return Files.readString(run.resolve("manifest.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
