package bnscope.analysis.report;

import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunFixture;
import bnscope.analysis.SparkTestSession;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static bnscope.core.tables.SnapshotTables.METRICS;
import static bnscope.core.tables.SnapshotTables.SURFACE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The report's surface section on constructed surfaces: two variants at one step (a paraboloid
 * loss, standard's twice batchnorm's), a line each; one figure with both panels side by side, the
 * line figure, and the levels table with the numbers the rows hold.
 */
@Tag("slow") // analyze + report on local Spark: minutes on the shared 2-core machine
class SurfaceSectionTest {
    private static final SparkSession spark = SparkTestSession.shared();

    @Test
    void surfacesOfOneStepAreOneFigureAndTheLevelsAreTheRowsNumbers(@TempDir Path dir) throws Exception {
        RunFixture fixture = new RunFixture(dir, "surf");
        for (String v : List.of("standard", "batchnorm")) {
            double scale = v.equals("standard") ? 2 : 1;
            fixture.add(METRICS, v, 0, 0, b -> b.set("kind", "train").set("loss", 2.3).set("accuracy", 0.1).set("examples", 32).set("time_ms", 0L));
            for (int j = 0; j < 5; j++) {
                for (int i = 0; i < 5; i++) {
                    double a = -1 + 0.5 * i;
                    double bb = -1 + 0.5 * j;
                    int fi = i;
                    int fj = j;
                    fixture.add(SURFACE, v, -1, 20, b -> surfaceRow(b, "plane", fi, fj, a, bb, scale * (1 + a * a + bb * bb)));
                }
            }
            for (int i = 0; i < 3; i++) {
                double t = 0.5 * i;
                int fi = i;
                fixture.add(SURFACE, v, -1, 20, b -> surfaceRow(b, "line", fi, 0, t, 0, 2.3 - (2.3 - scale) * t));
            }
        }
        String run = fixture.write("{\"run_id\": \"surf\", \"config\": {\"train.learning_rate\": 0.1}}");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, AnalyzeJob.run(spark, List.of(run), AnalyzeOptions.defaults(), new PrintStream(console, true, StandardCharsets.UTF_8)));
        ReportPage page = new ReportPage(Files.readString(dir.resolve(ReportJob.FOLDER).resolve(ReportJob.INDEX)));

        assertTrue(page.sectionIds().contains("surface"), page.sectionIds().toString());
        assertTrue(page.images().containsAll(Set.of("surface-step-20.png", "surface-line.png")), page.images().toString());
        ReportPage.Table levels = page.table("surface", "variant", "lr", "seed", "step");
        assertEquals(1.0, ReportPage.number(levels.cell("batchnorm", "loss at checkpoint")));
        assertEquals(3.0, ReportPage.number(levels.cell("batchnorm", "plane max")));
        assertEquals(2.0, ReportPage.number(levels.cell("standard", "loss at checkpoint")));
        assertEquals(6.0, ReportPage.number(levels.cell("standard", "plane max")));
        assertEquals(2.3, ReportPage.number(levels.cell("standard", "line t=0")));
        assertEquals("5x5", levels.cell("standard", "grid"));

        BufferedImage png = ImageIO.read(dir.resolve(ReportJob.FOLDER).resolve("surface-step-20.png").toFile());
        assertEquals(FigureCharts.WIDTH, png.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int x = 0; x < png.getWidth(); x += 3) {
            colours.add(png.getRGB(x, png.getHeight() / 2));
        }
        assertTrue(colours.size() >= 8, "filled contour bands across the middle row: " + colours.size() + " colours");
    }

    @Test
    void theColourScaleIsOneForAllPanels() {
        var scale = SurfaceCharts.scale(1.0, 6.0);
        // the same loss is the same colour whichever panel it is in; the bands are ordered
        assertEquals(scale.getPaint(Math.log10(2.0)), SurfaceCharts.scale(1.0, 6.0).getPaint(Math.log10(2.0)));
        assertNotEquals(scale.getPaint(Math.log10(1.0)), scale.getPaint(Math.log10(6.0)));
        assertEquals(SurfaceCharts.ramp(0), scale.getPaint(0.0), "the lowest loss gets the darkest band");
    }

    private static void surfaceRow(org.apache.avro.generic.GenericRecordBuilder b, String kind, int i, int j, double alpha,
                                   double beta, double loss) {
        b.set("kind", kind).set("i", i).set("j", j).set("alpha", alpha).set("beta", beta).set("loss", loss).set("accuracy", 0.5)
                .set("examples", 64).set("grid", "5x5").set("span", 1.0).set("direction_seed", 1L).set("sample_seed", 2L);
    }
}
