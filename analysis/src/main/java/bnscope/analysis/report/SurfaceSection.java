package bnscope.analysis.report;

import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.*;

/**
 * The loss surfaces of the {@code surface} table (written by `surface`): per checkpoint step, a
 * filled contour plot of every variant's surface side by side on one colour scale, the straight
 * line from the initial weights, and a table of the levels.
 */
public final class SurfaceSection extends HeadedSection {
    public SurfaceSection() {
        super("Loss surfaces around checkpoints (Li et al. 2018) and the line from the initial weights (Goodfellow et al. 2015)",
                "surface", List.of());
    }

    @Override
    public boolean appliesTo(ReportContext ctx) {
        return ctx.has(SnapshotTables.SURFACE);
    }

    /** One plane point of one variant's surface. */
    record PlanePoint(String variant, double learningRate, long seed, long step, double alpha, double beta, double loss, double span,
                      int columns, int rows) {
        static PlanePoint of(Row r) {
            String[] grid = r.<String>getAs("grid").split("x");
            return new PlanePoint(r.getAs("variant"), r.<Double>getAs("learning_rate"), r.<Long>getAs("seed"), r.<Long>getAs("step"),
                    r.getAs("alpha"), r.getAs("beta"), r.getAs("loss"), r.getAs("span"), Integer.parseInt(grid[0]), Integer.parseInt(grid[1]));
        }

        /** The figure this point belongs to: the variants of one (learning rate, seed) side by side at one step. */
        String figure() {
            return "step " + step + ", lr " + Cells.num(learningRate) + ", seed " + seed;
        }
    }

    /** A surface's levels: the checkpoint's loss, the plane's spread, the line's ends and its highest point. */
    record Levels(String variant, double learningRate, long seed, long step, String grid, double span, int examples, Double centre, Double min, Double median,
                  Double max, Double lineStart, Double lineMax) {
        static Levels of(Row r) {
            return new Levels(r.getAs("variant"), r.<Double>getAs("learning_rate"), r.<Long>getAs("seed"), r.<Long>getAs("step"), r.getAs("grid"), r.getAs("span"), r.<Integer>getAs("examples"),
                    r.getAs("centre"), r.getAs("min_loss"), r.getAs("median_loss"), r.getAs("max_loss"), r.getAs("line_start"),
                    r.getAs("line_max"));
        }
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        Dataset<Row> surface = ctx.read(SnapshotTables.SURFACE);
        out.paragraph("Training loss on a fixed sample of the training set, in evaluation mode (the checkpoint's BatchNorm running "
                + "statistics), at θ_step + α·x + β·y for two filter-normalized random directions x, y: each filter of x and y "
                + "has the norm of the same filter of the weights, so α = 1 is a step as large as the weights in every layer; "
                + "biases, BatchNorm γ and β and running statistics are not perturbed (as Li et al.). Colours are log10 of the "
                + "loss in " + SurfaceCharts.LEVELS + " bands on one scale for every panel.");
        List<PlanePoint> plane = surface.where(col("kind").equalTo("plane"))
                .select("variant", "learning_rate", "seed", "step", "alpha", "beta", "loss", "span", "grid")
                .orderBy("step", "learning_rate", "seed", "variant", "j", "i")
                .collectAsList().stream().map(PlanePoint::of).toList();
        double low = plane.stream().mapToDouble(PlanePoint::loss).filter(Double::isFinite).min().orElse(1);
        double high = plane.stream().mapToDouble(PlanePoint::loss).filter(Double::isFinite).max().orElse(10);
        Map<String, List<PlanePoint>> byFigure = Series.byKey(plane, PlanePoint::figure);
        out.row();
        int figureNumber = 0;
        for (Map.Entry<String, List<PlanePoint>> e : byFigure.entrySet()) {
            List<SurfaceCharts.Panel> panels = new ArrayList<>();
            Series.byKey(e.getValue(), PlanePoint::variant).forEach((variant, ps) -> {
                PlanePoint first = ps.get(0);
                panels.add(new SurfaceCharts.Panel(variant, Series.doubles(ps, PlanePoint::alpha), Series.doubles(ps, PlanePoint::beta),
                        Series.doubles(ps, PlanePoint::loss), 2 * first.span() / (first.columns() - 1), 2 * first.span() / (first.rows() - 1)));
            });
            PlanePoint first = e.getValue().get(0);
            String file = byFigure.size() == 1 ? "surface-step-" + first.step() + ".png" : "surface-" + (++figureNumber) + "-step-" + first.step() + ".png";
            out.figure(file, SurfaceCharts.contours("Loss surface at " + e.getKey() + (panels.size() > 1 ? " (variants side by side)" : ""),
                    panels, low, high));
        }
        List<Row> line = surface.where(col("kind").equalTo("line")).select("variant", "learning_rate", "seed", "step", "alpha", "loss")
                .orderBy("variant", "learning_rate", "seed", "step", "alpha").collectAsList();
        if (!line.isEmpty()) {
            List<FigureCharts.Series> series = new ArrayList<>();
            Series.byKey(line, r -> r.<String>getAs("variant") + ", lr " + Cells.num(r.<Double>getAs("learning_rate")) + ", seed "
                    + r.<Long>getAs("seed") + ", step " + r.<Long>getAs("step")).forEach((name, rs) ->
                    series.add(new FigureCharts.Series(name, Series.doubles(rs, r -> r.<Double>getAs("alpha")),
                            Series.doubles(rs, r -> r.<Double>getAs("loss")))));
            out.figure("surface-line.png", FigureCharts.lines("Straight line from the initial weights (t = 0) to the checkpoint (t = 1)",
                    "t", "training loss (sample)", series));
        }
        out.side();
        List<Levels> levels = surface.groupBy("variant", "learning_rate", "seed", "step").agg(
                        first("grid").as("grid"), first("span").as("span"), first("examples").as("examples"),
                        max(when(col("kind").equalTo("plane").and(col("alpha").equalTo(0)).and(col("beta").equalTo(0)), col("loss"))).as("centre"),
                        min(when(col("kind").equalTo("plane"), col("loss"))).as("min_loss"),
                        expr("percentile(CASE WHEN kind = 'plane' THEN loss END, 0.5)").as("median_loss"),
                        max(when(col("kind").equalTo("plane"), col("loss"))).as("max_loss"),
                        max(when(col("kind").equalTo("line").and(col("alpha").equalTo(0)), col("loss"))).as("line_start"),
                        max(when(col("kind").equalTo("line"), col("loss"))).as("line_max"))
                .orderBy("step", "learning_rate", "seed", "variant").collectAsList().stream().map(Levels::of).toList();
        out.table(List.of("variant", "lr", "seed", "step", "grid", "span", "sample", "loss at checkpoint", "plane min", "plane median", "plane max",
                "line t=0", "line max"), levels.stream().map(l -> List.of(l.variant(), Cells.num(l.learningRate()), Long.toString(l.seed()), Long.toString(l.step()), l.grid(),
                Cells.num(l.span()), Integer.toString(l.examples()), Cells.num(l.centre()), Cells.num(l.min()), Cells.num(l.median()),
                Cells.num(l.max()), Cells.num(l.lineStart()), Cells.num(l.lineMax()))).toList());
        out.paragraph("A flatter basin shows as wider bands around the centre; a line maximum above both of its ends would be a "
                + "barrier between the initial weights and the checkpoint (Goodfellow et al. report none on the networks they studied).");
        out.endRow();
    }
}
