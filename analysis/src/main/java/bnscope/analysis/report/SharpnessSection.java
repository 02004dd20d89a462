package bnscope.analysis.report;

import bnscope.analysis.claims.ReliableEigenvalues;

import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.*;

/**
 * Beyond the paper: λ_max (the top Hessian eigenvalue of the step's objective, table `sharpness`)
 * over training per variant and learning rate, with the 2/η line of gradient descent's stability
 * limit (Cohen et al. 2021). Shown only for runs that scheduled the sharpness probe. A run whose
 * rows carry a learning_rate column (a grid) gets one series per (variant, lr); otherwise the run's
 * train.learning_rate is the one η.
 */
public final class SharpnessSection extends HeadedSection {
    static final String LR_COLUMN = "learning_rate";

    public SharpnessSection() {
        super("Beyond the paper — sharpness: top Hessian eigenvalue over training, against 2/η", "sharpness",
                List.of("probe.sharpness.every", "probe.sharpness.steps", "probe.sharpness.k", "probe.sharpness.iterations",
                        "probe.sharpness.tolerance", "probe.sharpness.fd_step", RunInfo.LEARNING_RATE));
    }

    @Override
    public boolean appliesTo(ReportContext context) {
        return context.has(SnapshotTables.SHARPNESS);
    }

    /** λ_max at one probed step of one (variant, lr): mean, min and max over workers (and seeds). */
    record Point(String variant, double lr, long step, Double mean, Double low, Double high, long rows) {
        String cell() {
            return variant + ", lr " + Cells.num(lr);
        }
    }

    /** A (variant, lr) over training: first, last and largest λ_max, and the largest λ_max·η/2. */
    record Summary(String cell, int points, double first, double last, double max, double edgeFraction) {
        static Summary of(List<Point> ps) {
            double[] mean = Series.values(ps, Point::mean);
            double max = Arrays.stream(mean).filter(Double::isFinite).max().orElse(Double.NaN);
            return new Summary(ps.get(0).cell(), ps.size(), mean[0], mean[mean.length - 1], max, max * ps.get(0).lr() / 2);
        }
    }

    static List<Point> points(Dataset<Row> sharpness, double runLr) {
        boolean grid = Arrays.asList(sharpness.columns()).contains(LR_COLUMN);
        Dataset<Row> top = ReliableEigenvalues.reliable(sharpness).withColumn("eta", grid ? col(LR_COLUMN) : lit(runLr));
        return top.groupBy("variant", "eta", "step")
                .agg(avg("eigenvalue").as("mean"), min("eigenvalue").as("low"), max("eigenvalue").as("high"), count(lit(1)).as("n"))
                .orderBy("variant", "eta", "step").collectAsList().stream()
                .map(r -> new Point(r.getAs("variant"), r.<Double>getAs("eta"), r.<Long>getAs("step"), r.getAs("mean"),
                        r.getAs("low"), r.getAs("high"), r.<Long>getAs("n")))
                .toList();
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        out.paragraph("λ_max = the largest (algebraic) eigenvalue of the Hessian of the step's training objective on the worker's "
                + "minibatch at w_t (Lanczos on double-precision finite-difference Hessian-vector products; docs/sharpness.md). "
                + "The band spans workers (and seeds), the line is their mean. Gradient descent with step η is unstable along a "
                + "direction of curvature above 2/η: Cohen et al. (2021) find full-batch GD drives λ_max up to ≈ 2/η and holds it "
                + "there (the edge of stability); minibatch SGD is expected to stay below.");
        Dataset<Row> sharpness = ctx.read(SnapshotTables.SHARPNESS);
        ReliableEigenvalues.LeftOut leftOut = ReliableEigenvalues.leftOut(sharpness);
        if (leftOut.any()) {
            out.paragraph(leftOut.rows() + " of " + leftOut.all() + " λ_max rows are left out of the figure and the table: their measured residual "
                    + "‖Hy − λy‖/|λ| is above " + ReliableEigenvalues.RESIDUAL_LIMIT + ", so the eigenvalue is not reliable (docs/sharpness.md).");
        }
        out.row();
        List<Point> points = points(sharpness, ctx.run().learningRate());
        List<FigureCharts.Band> bands = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        List<Double> etas = new ArrayList<>();
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (List<Point> ps : Series.byKey(points, Point::cell).values()) {
            double[] steps = Series.doubles(ps, Point::step);
            bands.add(new FigureCharts.Band(ps.get(0).cell(), steps, Series.values(ps, Point::low), Series.values(ps, Point::mean),
                    Series.values(ps, Point::high)));
            summaries.add(Summary.of(ps));
            if (!etas.contains(ps.get(0).lr())) {
                etas.add(ps.get(0).lr());
            }
            first = Math.min(first, steps[0]);
            last = Math.max(last, steps[steps.length - 1]);
        }
        for (double eta : etas) {
            if (eta > 0 && Double.isFinite(first)) {
                double[] x = {first, last};
                double[] y = {2 / eta, 2 / eta};
                bands.add(new FigureCharts.Band("2/η (lr " + Cells.num(eta) + ")", x, y, y, y));
            }
        }
        out.figure("sharpness_lambda_max.png", FigureCharts.bands("λ_max of the minibatch Hessian over training, and 2/η",
                "step", "λ_max", bands));
        out.side();
        out.subheading("This run");
        out.table(List.of("variant, lr", "probed steps", "λ_max first", "λ_max last", "λ_max largest", "largest λ_max·η/2"),
                summaries.stream().map(s -> List.of(s.cell(), Integer.toString(s.points()), Cells.num(s.first()), Cells.num(s.last()),
                        Cells.num(s.max()), Cells.num(s.edgeFraction()))).toList());
        out.paragraph("λ_max·η/2 = 1 is the edge of stability; claims 9 and 10 of the Claims section read the same rows.");
        out.settings(settings());
        out.endRow();
    }
}
