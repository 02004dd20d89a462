package bnscope.analysis.report;

import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunFixture;
import bnscope.analysis.SparkTestSession;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static bnscope.core.tables.SnapshotTables.METRICS;
import static bnscope.core.tables.SnapshotTables.SHARPNESS;
import static org.junit.jupiter.api.Assertions.*;

@Tag("slow")
class SharpnessSectionTest {
    private static final SparkSession spark = SparkTestSession.shared();

    private static final String MANIFEST = """
            {"run_id": "sharp", "status": "completed",
             "config": {"run.seed": 42, "train.learning_rate": 0.5, "train.steps": 30, "train.variants": ["standard", "batchnorm"]},
             "variants": {"standard": {"status": "completed"}, "batchnorm": {"status": "completed"}}}""";

    /** λ₁ of (variant, worker, step): standard rises to 3.8 (0.95 of 2/η = 4), batchnorm stays at 1 + worker. */
    private static double lambda(String variant, int worker, long step) {
        return variant.equals("standard") ? 1 + 0.1 * step + 0.2 * worker : 1 + worker;
    }

    @Test
    void lambdaMaxPerVariantAgainstTwoOverEta(@TempDir Path dir) throws Exception {
        RunFixture run = new RunFixture(dir, "sharp");
        for (String v : List.of("standard", "batchnorm")) {
            for (int w = 0; w < 2; w++) {
                for (long s = 0; s < 30; s++) {
                    final long step = s;
                    run.add(METRICS, v, w, s, b -> b.set("kind", "train").set("loss", 2.0 - 0.01 * step).set("accuracy", 0.3)
                            .set("examples", 64).set("time_ms", 0L));
                    if (s % 9 == 0) {
                        for (int k = 1; k <= 2; k++) {
                            final int rank = k;
                            final double l1 = lambda(v, w, s);
                            run.add(SHARPNESS, new GridCell(Variant.fromName(v), 0.5, 42L), w, s, b -> b.set("which", "global").set("layer", 0).set("layer_name", "all")
                                    .set("parameters", 100L).set("k", rank).set("eigenvalue", rank == 1 ? l1 : l1 / 2)
                                    .set("residual", 1e-4).set("iterations", 12).set("trace", 50.0).set("trace_se", 1.0)
                                    .set("trace_samples", 10).set("hvp_count", 24).set("fd_step", 1e-4));
                            // a layer block with a larger λ₁ must not enter the global λ_max
                            run.add(SHARPNESS, new GridCell(Variant.fromName(v), 0.5, 42L), w, s, b -> b.set("which", "layer").set("layer", 1).set("layer_name", "conv1")
                                    .set("parameters", 10L).set("k", rank).set("eigenvalue", 100.0)
                                    .set("residual", 1e-4).set("iterations", 12).set("trace", 50.0).set("trace_se", 1.0)
                                    .set("trace_samples", 10).set("hvp_count", 24).set("fd_step", 1e-4));
                        }
                    }
                }
            }
        }
        // a second learning rate of one variant is its own series, with its own 2/η
        run.add(SHARPNESS, new GridCell(Variant.BATCHNORM, 0.1, 42L), 0, 0, b -> b.set("which", "global").set("layer", 0)
                .set("layer_name", "all").set("parameters", 100L).set("k", 1).set("eigenvalue", 7.0).set("residual", 1e-4)
                .set("iterations", 12).set("trace", 50.0).set("trace_se", 1.0).set("trace_samples", 10).set("hvp_count", 24).set("fd_step", 1e-4));
        // an eigenvalue whose residual says it is not reliable stays out of the figure and the table, and is counted
        run.add(SHARPNESS, new GridCell(Variant.STANDARD, 0.5, 42L), 0, 29, b -> b.set("which", "global").set("layer", 0)
                .set("layer_name", "all").set("parameters", 100L).set("k", 1).set("eigenvalue", 1e5).set("residual", 0.5)
                .set("iterations", 5).set("trace", 50.0).set("trace_se", 1.0).set("trace_samples", 10).set("hvp_count", 6).set("fd_step", 1e-4));
        String runDir = run.write(MANIFEST);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertEquals(0, AnalyzeJob.run(spark, List.of(runDir), AnalyzeOptions.defaults(), new PrintStream(console, true, StandardCharsets.UTF_8)));
        ReportPage page = new ReportPage(Files.readString(dir.resolve(ReportJob.FOLDER).resolve(ReportJob.INDEX)));
        assertTrue(page.images().contains("sharpness_lambda_max.png"), page.images().toString());
        assertTrue(ImageIO.read(dir.resolve(ReportJob.FOLDER).resolve("sharpness_lambda_max.png").toFile()).getWidth() > 0);
        ReportPage.Table t = page.table("sharpness", "variant, lr");
        // steps 0, 9, 18, 27; mean over the two workers
        assertEquals(4, ReportPage.number(t.cell("standard, lr 0.5", "probed steps")), 0);
        assertEquals(1.1, ReportPage.number(t.cell("standard, lr 0.5", "λ_max first")), 1e-9);
        assertEquals(1 + 2.7 + 0.1, ReportPage.number(t.cell("standard, lr 0.5", "λ_max last")), 1e-9);
        assertEquals(1 + 2.7 + 0.1, ReportPage.number(t.cell("standard, lr 0.5", "λ_max largest")), 1e-9);
        assertEquals(3.8 * 0.5 / 2, ReportPage.number(t.cell("standard, lr 0.5", "largest λ_max·η/2")), 1e-9);
        assertEquals(1.5, ReportPage.number(t.cell("batchnorm, lr 0.5", "λ_max largest")), 1e-9);
        assertEquals(1.5 * 0.5 / 2, ReportPage.number(t.cell("batchnorm, lr 0.5", "largest λ_max·η/2")), 1e-9);
        assertEquals(7.0 * 0.1 / 2, ReportPage.number(t.cell("batchnorm, lr 0.1", "largest λ_max·η/2")), 1e-9);
        assertEquals(3, t.rows().size());
        assertTrue(Files.readString(dir.resolve(ReportJob.FOLDER).resolve(ReportJob.INDEX))
                .contains("1 of 18 λ_max rows are left out of the figure and the table"), "the unreliable row is counted");
    }

    @Test
    void aRunWithoutTheProbeHasNoSharpnessSection(@TempDir Path dir) throws Exception {
        RunFixture run = new RunFixture(dir, "plain");
        run.add(METRICS, "batchnorm", 0, 0, b -> b.set("kind", "train").set("loss", 2.0).set("accuracy", 0.1)
                .set("examples", 32).set("time_ms", 0L));
        String runDir = run.write(null);
        assertEquals(0, AnalyzeJob.run(spark, List.of(runDir), AnalyzeOptions.defaults(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        ReportPage page = new ReportPage(Files.readString(dir.resolve(ReportJob.FOLDER).resolve(ReportJob.INDEX)));
        assertFalse(page.sectionIds().contains("sharpness"), page.sectionIds().toString());
    }
}
