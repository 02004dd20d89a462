package bnscope.analysis;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static bnscope.core.tables.SnapshotTables.METRICS;
import static org.junit.jupiter.api.Assertions.*;

@Tag("slow") // over ~30 s on the shared 2-core machine: left out by mvn test -DexcludedGroups=slow
class ReportJobTest {
    private static final SparkSession spark = SparkTestSession.shared();

    private static Set<String> referencedImages(String html) {
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        Set<String> out = new TreeSet<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Set<String> pngFiles(Path report) throws Exception {
        try (var files = Files.list(report)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void analyzeWritesAReportWithEveryFigureAsAReadablePng(@TempDir Path dir) throws Exception {
        String run = SmallRun.write(dir, "report-run");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults(), new PrintStream(console, true, StandardCharsets.UTF_8)));
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("ics vector check") && log.contains("PASS"), log);
        assertTrue(log.contains("report"), log);

        Path report = dir.resolve(ReportJob.FOLDER);
        String html = Files.readString(report.resolve(ReportJob.INDEX));
        Set<String> images = referencedImages(html);
        // SmallRun records layers 1..3: Fig. 3 and 8 clip the paper's #5 and #10 to layer 3
        assertEquals(new TreeSet<>(List.of("fig1_accuracy.png", "fig1_distribution.png", "fig3_layer3_diff.png", "fig3_layer3_cos.png",
                "fig4_loss.png", "fig4_gradient.png", "fig4_beta.png", "fig8_delta_mean.png", "fig8_delta_variance.png")), images);
        assertEquals(images, pngFiles(report), "every figure written is on the page and every image on the page exists");
        for (String png : images) {
            BufferedImage img = ImageIO.read(report.resolve(png).toFile());
            assertNotNull(img, png);
            assertEquals(FigureCharts.WIDTH, img.getWidth(), png);
            assertEquals(FigureCharts.HEIGHT, img.getHeight(), png);
        }
        // the run's config and the paper's numbers are beside ours
        assertTrue(html.contains("train.lr") && html.contains("0.1"), "run config shown");
        assertTrue(html.contains("83.0%") && html.contains("80.0%"), "paper test accuracy shown");
        assertTrue(html.contains("~4.9, spikes to ~9.7"), "paper landscape read-offs shown");
        assertTrue(html.contains("This run has no noisy-batchnorm variant"), "Fig. 2 says why it is empty");
        assertTrue(html.contains("thm41_printed"), "theory checks section");
        assertTrue(html.contains("clipped to the recorded layers [1, 2, 3]"));
        assertFalse(Files.list(report).anyMatch(p -> p.getFileName().toString().endsWith(".crc")), "no checksum side files");
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
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults(), new PrintStream(console, true, StandardCharsets.UTF_8)));
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("note: no manifest.json"), log);
        assertTrue(log.contains("ics_metrics        skipped: no ics table"), log);
        assertTrue(log.contains("moments            skipped: no activations table"), log);
        assertTrue(log.contains("landscape_metrics  skipped: no landscape table"), log);
        Path report = dir.resolve(ReportJob.FOLDER);
        String html = Files.readString(report.resolve(ReportJob.INDEX));
        assertEquals(Set.of("fig1_accuracy.png"), referencedImages(html));
        assertEquals(Set.of("fig1_accuracy.png"), pngFiles(report));
        assertTrue(html.contains("The run has no manifest.json."));
        assertTrue(html.contains("No moments table"));
        assertTrue(html.contains("No ics_metrics table"));
        assertTrue(html.contains("No landscape_metrics table"));
        assertTrue(ImageIO.read(report.resolve("fig1_accuracy.png").toFile()).getWidth() > 0);
    }
}
