package bnscope.analysis.report;

import org.junit.jupiter.api.Tag;
import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.GridTables;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.RunFixture;
import bnscope.analysis.SmallRun;
import bnscope.analysis.SparkTestSession;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static bnscope.core.tables.SnapshotTables.METRICS;
import static org.junit.jupiter.api.Assertions.*;

@Tag("slow")
class ReportJobTest {
    private static final SparkSession spark = SparkTestSession.shared();

    /** A manifest in the shape TrainJob writes: resolved config with dotted keys, variants as name -> state. */
    private static final String MANIFEST = """
            {"run_id": "report-run", "status": "completed",
             "config": {"run.seed": 42, "train.learning_rate": 0.1, "train.steps": 40, "train.variants": ["standard", "batchnorm"]},
             "variants": {"standard": {"status": "completed"}, "batchnorm": {"status": "completed"}}}""";

    private static Set<String> pngFiles(Path report) throws Exception {
        try (var files = Files.list(report)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String analyze(String run) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults(), new PrintStream(console, true, StandardCharsets.UTF_8)));
        return console.toString(StandardCharsets.UTF_8);
    }

    private static ReportPage page(Path runDir) throws Exception {
        return new ReportPage(Files.readString(runDir.resolve(ReportJob.FOLDER).resolve(ReportJob.INDEX)));
    }

    /** {@code cell} holds {@code fraction} as a percentage with one decimal. */
    private static void assertPercent(double fraction, String cell) {
        assertEquals(100 * fraction, ReportPage.numbers(cell)[0], 0.05 + 1e-9, cell);
    }

    /** {@code cell} holds {@code value} to the 6 significant digits the report prints. */
    private static void assertPrinted(double value, String cell) {
        assertEquals(value, ReportPage.number(cell), 1e-5 * Math.abs(value) + 1e-12, cell);
    }

    @Test
    void analyzeWritesAReportWithEveryFigureAsAReadablePng(@TempDir Path dir) throws Exception {
        String run = SmallRun.write(dir, "report-run");
        Files.writeString(dir.resolve("manifest.json"), MANIFEST);
        String log = analyze(run);
        assertTrue(log.contains("ics vector check") && log.contains("PASS"), log);
        assertTrue(log.contains("report"), log);

        Path report = dir.resolve(ReportJob.FOLDER);
        ReportPage page = page(dir);
        // SmallRun records layers 1..3: Fig. 3 and 8 clip the paper's #5 and #10 to layer 3
        assertEquals(new TreeSet<>(List.of("fig1_accuracy.png", "fig1_distribution.png", "fig3_layer3_diff.png", "fig3_layer3_cos.png",
                "fig4_loss.png", "fig4_gradient.png", "fig4_beta.png", "fig8_delta_mean.png", "fig8_delta_variance.png")), page.images());
        assertEquals(page.images(), pngFiles(report), "every figure written is on the page and every image on the page exists");
        for (String png : page.images()) {
            BufferedImage img = ImageIO.read(report.resolve(png).toFile());
            assertNotNull(img, png);
            assertEquals(FigureCharts.WIDTH, img.getWidth(), png);
            assertEquals(FigureCharts.HEIGHT, img.getHeight(), png);
        }
        assertEquals(List.of("claims", "config", "accuracy", "fig1", "fig2", "fig3", "fig4", "fig8", "theory"), page.sectionIds());
        assertTrue(page.html().contains("<p>Variants: standard, batchnorm.</p>"), "variants listed from the manifest's variants object");

        // the recorded config, shown once and whole
        Map<String, String> config = new LinkedHashMap<>();
        page.table("config", "key", "value").rows().forEach(r -> config.put(r.get(0), r.get(1)));
        assertEquals(Map.of("run.seed", "42", "train.learning_rate", "0.1", "train.steps", "40",
                "train.variants", "[\"standard\",\"batchnorm\"]"), config);
        assertEquals(1, page.tables().stream().filter(t -> t.header().equals(List.of("key", "value"))).count(), "config shown once");

        RunTruth truth = new RunTruth(spark, run);
        int window = AnalyzeOptions.defaults().smoothingWindow();
        ReportPage.Table accuracy = page.table("accuracy", "variant", "lr", "seeds", "train @500");
        for (String v : SmallRun.VARIANTS) {
            long lastTrain = truth.lastStep(v, "train");
            String finalTrain = accuracy.cell(v, "final train (step)");
            assertPercent(truth.smoothedTrainAccuracy(v, lastTrain, window), finalTrain);
            assertEquals((double) lastTrain, ReportPage.numbers(finalTrain)[1]);
            String finalTest = accuracy.cell(v, "final test (step)");
            assertPercent(truth.lastTestAccuracy(v), finalTest);
            assertEquals((double) truth.lastStep(v, "test"), ReportPage.numbers(finalTest)[1]);
            assertPercent(PaperReference.TEST_ACCURACY.get(v), accuracy.cell(v, "paper test"));
            assertEquals("not reached", accuracy.cell(v, "train @500"), "a 40-step run has no accuracy after 500 steps");

            assertPrinted(truth.medianGradientShift(v, 3), page.table("fig3", "layer", "variant").cell(r -> r.get(0).equals("3")
                    && r.get(1).equals(v), "median ‖G−G'‖"));
            assertPrinted(truth.medianBeta(v, PaperReference.LANDSCAPE_WINDOW_STEPS), page.table("fig4", "variant", "lr", "loss upper edge")
                    .cell(v, "median β"));
            assertPrinted(truth.medianDeltaMean(v, 3), page.table("fig8", "variant", "layer").cell(r -> r.get(0).equals(v)
                    && r.get(1).equals("3"), "median |Δmean|"));
            long[] printed = truth.theoryChecks(TheorySection.THM41_PRINTED, v);
            assertTrue(printed[0] > 0);
            assertEquals(printed[1] + " of " + printed[0], page.table("theory", "identity", "variant")
                    .cell(r -> r.get(0).equals(TheorySection.THM41_PRINTED) && r.get(1).equals(v), "lhs > rhs"));
        }

        // the paper's read-offs, in the paper's order, the rows at this run's recorded lr marked
        ReportPage.Table paper = page.table("accuracy", "figure", "variant");
        assertEquals(List.of("standard", "batchnorm", "standard", "batchnorm", "noisy-batchnorm", "batchnorm"), paper.column("variant"));
        assertEquals(List.of("Fig. 1, lr 0.1 (this run's lr)", "Fig. 1, lr 0.5", "Fig. 2, lr 0.1 (this run's lr)"),
                paper.column("figure").stream().distinct().toList());
        assertEquals("1000: 83.0%, 2000: 94.0%, 5000: 99.0%", paper.cell(r -> r.get(0).startsWith("Fig. 1, lr 0.1")
                && r.get(1).equals("batchnorm"), "train accuracy at step"));

        assertTrue(page.section("fig4").contains("~4.9, spikes to ~9.7"), "paper landscape read-offs shown");
        assertTrue(page.section("fig2").contains("This run has no noisy-batchnorm variant"), "Fig. 2 says why it is empty");
        assertTrue(page.section("fig3").contains("Requested layers [5, 10] clipped to the recorded layers [1, 2, 3]."));
        assertFalse(Files.list(report).anyMatch(p -> p.getFileName().toString().endsWith(".crc")), "no checksum side files");
    }

    @Test
    void trainingAccuracyIsReadOffAtThePapersSteps(@TempDir Path dir) throws Exception {
        RunFixture fixture = new RunFixture(dir, "long");
        int steps = 1200;
        for (String v : List.of("standard", "batchnorm")) {
            double speed = v.equals("batchnorm") ? 0.004 : 0.002;
            for (int s = 0; s < steps; s++) {
                double acc = 1 - 0.9 * Math.exp(-speed * s) + 0.01 * Math.sin(s);
                double loss = 2.3 * Math.exp(-speed * s);
                fixture.add(METRICS, v, 0, s, b -> b.set("kind", "train").set("loss", loss).set("accuracy", acc)
                        .set("examples", 32).set("time_ms", 0L));
            }
        }
        String run = fixture.write("{\"run_id\": \"long\", \"config\": {\"train.learning_rate\": 0.5}}");
        analyze(run);
        ReportPage page = page(dir);
        RunTruth truth = new RunTruth(spark, run);
        ReportPage.Table accuracy = page.table("accuracy", "variant", "lr", "seeds", "train @500");
        for (String v : List.of("standard", "batchnorm")) {
            // the accuracy after t steps is that of the last step before t
            assertPercent(truth.smoothedTrainAccuracy(v, 499, 20), accuracy.cell(v, "train @500"));
            assertPercent(truth.smoothedTrainAccuracy(v, 999, 20), accuracy.cell(v, "train @1000"));
            assertEquals("not reached", accuracy.cell(v, "train @2000"));
            assertEquals("—", accuracy.cell(v, "final test (step)"), "no test rows");
        }
        assertEquals(List.of("Fig. 1, lr 0.1", "Fig. 1, lr 0.5 (this run's lr)", "Fig. 2, lr 0.1"),
                page.table("accuracy", "figure", "variant").column("figure").stream().distinct().toList());
        assertEquals(Map.of("train.learning_rate", "0.5"), Map.of(page.table("config", "key", "value").rows().get(0).get(0),
                page.table("config", "key", "value").rows().get(0).get(1)));
    }

    @Test
    void deepLinearRunShowsLossAndTheLevelEachVariantReached(@TempDir Path dir) throws Exception {
        RunFixture fixture = new RunFixture(dir, "dln");
        List<Double> levels = List.of(5.0, 1.0, 0.0);
        for (String v : List.of("standard", "l1")) {
            for (int s = 0; s < 100; s++) {
                // standard stays on L_0; l1 descends to L_1 and sits there (a saddle)
                double loss = v.equals("standard") ? 5.02 - 0.0001 * s : Math.max(1.0, 5.0 - 0.1 * s) + 0.001 * Math.cos(s);
                fixture.add(METRICS, v, 0, s, b -> b.set("kind", "train").set("loss", loss).set("accuracy", Double.NaN)
                        .set("examples", 1000).set("time_ms", 0L));
            }
        }
        String run = fixture.write("{\"run_id\": \"dln\", \"config\": {\"model.kind\": \"dln\"}, \"data\": {\"reduced_rank_losses\": "
                + levels + "}, \"variants\": [\"standard\", \"l1\"]}");
        analyze(run);
        ReportPage page = page(dir);
        assertEquals(List.of("claims", "config", "accuracy", "fig1", "fig2", "fig3", "fig4", "fig8", "lp"), page.sectionIds());
        assertEquals(Set.of("fig1_accuracy.png", "lp_accuracy.png"), page.images());
        assertTrue(page.section("accuracy").contains("Accuracy is not defined for this network"));
        assertTrue(page.html().contains("<p>Variants: standard, l1.</p>"), "a manifest listing variants as an array still reads");

        RunTruth truth = new RunTruth(spark, run);
        ReportPage.Table table = page.table("lp", "variant", "last step");
        for (String v : List.of("standard", "l1")) {
            Map.Entry<Long, Double> last = truth.trainLoss(v).lastEntry();
            assertEquals((double) last.getKey(), ReportPage.number(table.cell(v, "last step")));
            assertPrinted(last.getValue(), table.cell(v, "final training loss"));
            int k = -1;
            for (int i = 0; i < levels.size(); i++) {
                if (last.getValue() <= 1.01 * levels.get(i) + 1e-9) {
                    k = i;
                }
            }
            assertEquals(v.equals("standard") ? 0 : 1, k, "the fixture's design");
            double threshold = 1.01 * levels.get(k) + 1e-9;
            long first = truth.trainLoss(v).entrySet().stream().filter(e -> e.getValue() <= threshold).findFirst().orElseThrow().getKey();
            assertEquals("k = " + k + " (L = " + (k == 0 ? "5" : "1") + ")", table.cell(v, "lowest level reached (within 1%)"));
            assertEquals((double) first, ReportPage.number(table.cell(v, "first step there")));
        }
    }

    /**
     * A grid cell that stopped part-way still draws its recorded steps, so the page says, before any
     * figure, which cells those are; a finished cell is not named.
     */
    @Test
    void introNamesTheCellsThatDidNotFinish(@TempDir Path dir) throws Exception {
        GridTables g = new GridTables(dir.resolve("grid"))
                .trainCurve("standard", 0.1, 1, 200, 0.01, 0.01).withCell("standard-lr0.1-seed1", "standard", 0.1, 1, "completed", 200)
                .trainCurve("batchnorm", 0.1, 1, 200, 0.02, 0.01).withCell("batchnorm-lr0.1-seed1", "batchnorm", 0.1, 1, "completed", 200)
                .trainCurve("batchnorm", 0.1, 2, 80, 0.02, 0.01).withCell("batchnorm-lr0.1-seed2", "batchnorm", 0.1, 2, "stopped", 80);
        ReportJob.write(RunDirectory.open(spark, g.write(spark)), AnalyzeOptions.defaults());
        ReportPage page = page(dir.resolve("grid"));
        String intro = page.intro();
        assertTrue(intro.contains("Not finished: 1 cell(s) stopped before their last step: batchnorm-lr0.1-seed2 (stopped, 80 steps done)."), intro);
        assertFalse(intro.contains("batchnorm-lr0.1-seed1"), intro);
        assertTrue(page.section("claims").contains("batchnorm-lr0.1-seed2 (stopped, 80 steps done)"), "the claims section names it too");
    }

    @Test
    void sectionsWithoutDataSaySoInsteadOfDrawing(@TempDir Path dir) throws Exception {
        RunFixture fixture = new RunFixture(dir, "curves-only");
        for (int s = 0; s < 5; s++) {
            final int step = s;
            fixture.add(METRICS, "batchnorm", 0, s, b -> b.set("kind", "train").set("loss", 2.0 - 0.1 * step)
                    .set("accuracy", 0.1 * step).set("examples", 32).set("time_ms", 0L));
        }
        String run = fixture.write(null);
        String log = analyze(run);
        assertTrue(log.contains("note: no manifest.json"), log);
        assertTrue(log.contains("ics_metrics        skipped: no ics table"), log);
        assertTrue(log.contains("moments            skipped: no activations table"), log);
        assertTrue(log.contains("landscape_metrics  skipped: no landscape table"), log);
        Path report = dir.resolve(ReportJob.FOLDER);
        ReportPage page = page(dir);
        assertEquals(Set.of("fig1_accuracy.png"), page.images());
        assertEquals(Set.of("fig1_accuracy.png"), pngFiles(report));
        assertTrue(page.section("config").contains("The run has no manifest.json."));
        assertTrue(page.section("fig8").contains("No moments table"));
        assertTrue(page.section("fig3").contains("No ics_metrics table"));
        assertTrue(page.section("fig4").contains("No landscape_metrics table"));
        assertTrue(page.section("fig1").contains("No moments table (the run recorded no activations): no distribution figure."));
        assertTrue(ImageIO.read(report.resolve("fig1_accuracy.png").toFile()).getWidth() > 0);
    }
}
