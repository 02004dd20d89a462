package bnscope.analysis;

import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.*;

/**
 * Writes RUN_DIR/report/index.html and its PNG figures: one section per paper figure (Fig. 1, 2,
 * 3, 4, 8), each with the paper's reference numbers and claims beside this run's, and the run's
 * config from manifest.json. Reads only the metric tables (and theory_checks, aggregated in SQL);
 * every query brings a small, already-aggregated result to the driver. A section whose table is
 * absent says so instead of drawing an empty plot.
 */
public final class ReportJob {
    public static final String FOLDER = "report";
    public static final String INDEX = "index.html";
    /** Training curves are thinned to about this many points per series before plotting. */
    static final int CURVE_POINTS = 1500;
    /** A loss within this factor of a reduced-rank level L_k counts as having reached it. */
    static final double LEVEL_TOLERANCE = 1.01;

    private final RunDirectory run;
    private final AnalyzeOptions options;
    private final FileSystem out;
    private final Path dir;
    private final HtmlReport html;
    private final Map<String, String> config;
    /** Variants present in the curves table, read on first use. */
    private List<String> curveVariants;

    private ReportJob(RunDirectory run, AnalyzeOptions options) {
        this.run = run;
        this.options = options;
        // no .crc side files next to the figures on a local disk
        this.out = run.fileSystem() instanceof LocalFileSystem local ? local.getRawFileSystem() : run.fileSystem();
        this.dir = new Path(run.path(), FOLDER);
        this.html = new HtmlReport("bnscope report: " + run.name());
        this.config = flatten(run.config());
    }

    /** Opens {@code runDir} and writes its report; returns the path of index.html. */
    public static String run(SparkSession spark, String runDir, AnalyzeOptions options) {
        return write(RunDirectory.open(spark, runDir), options);
    }

    /** Writes the report of an opened run (replacing an earlier one); returns the path of index.html. */
    public static String write(RunDirectory run, AnalyzeOptions options) {
        ReportJob job = new ReportJob(run, options);
        try {
            if (job.out.exists(job.dir)) {
                job.out.delete(job.dir, true);
            }
            job.out.mkdirs(job.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + job.dir, e);
        }
        return job.build();
    }

    private String build() {
        header();
        accuracySummary();
        figure1();
        figure2();
        figure3();
        figure4();
        figure8();
        normalizations();
        theoryChecks();
        Path index = new Path(dir, INDEX);
        try (OutputStream o = out.create(index, true)) {
            o.write(html.render().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + index, e);
        }
        return index.toString();
    }

    // ---- header and config --------------------------------------------------------------------

    static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else {
            out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
        }
    }

    /** Config entries whose key mentions one of {@code words}: the settings a section depends on. */
    private List<List<String>> configRows(String... words) {
        List<List<String>> rows = new ArrayList<>();
        config.forEach((k, v) -> {
            String key = k.toLowerCase(Locale.ROOT);
            for (String w : words) {
                if (key.contains(w)) {
                    rows.add(List.of(k, v));
                    return;
                }
            }
        });
        return rows;
    }

    private void sideConfig(String... words) {
        html.subheading("Run config");
        List<List<String>> rows = configRows(words);
        if (rows.isEmpty()) {
            html.paragraph(config.isEmpty() ? "The run has no config in manifest.json." : "No related settings; see the full config at the top.");
        } else {
            html.table(List.of("key", "value"), rows);
        }
    }

    /** The learning rate from the config (a key ending in lr, learning_rate or learningRate), or NaN. */
    double learningRate() {
        for (Map.Entry<String, String> e : config.entrySet()) {
            String last = e.getKey().substring(e.getKey().lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (last.equals("lr") || last.equals("learning_rate") || last.equals("learningrate")) {
                try {
                    return Double.parseDouble(e.getValue());
                } catch (NumberFormatException ignored) {
                    // not a number: keep looking
                }
            }
        }
        return Double.NaN;
    }

    private void header() {
        html.paragraph("Reproduction of Santurkar et al., \"How Does Batch Normalization Help Optimization?\" (NeurIPS 2018). "
                + "Run directory: " + run.path() + "; status: " + run.status() + ".");
        JsonNode variants = run.manifest().path("variants");
        if (variants.isArray()) {
            List<String> names = new ArrayList<>();
            variants.forEach(v -> names.add(v.asText()));
            html.paragraph("Variants: " + String.join(", ", names) + ".");
        }
        html.heading("Run config", "config");
        if (config.isEmpty()) {
            html.absent(run.hasManifest() ? "manifest.json has no config object." : "The run has no manifest.json.");
        } else {
            html.table(List.of("key", "value"), config.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
        }
    }

    // ---- data helpers -------------------------------------------------------------------------

    private List<Row> collect(Dataset<Row> small) {
        return small.collectAsList();
    }

    private static String pct(Object v) {
        if (v == null) {
            return "—";
        }
        double d = ((Number) v).doubleValue();
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * d);
    }

    private static String num(Object v) {
        return v == null ? "—" : TextTable.format(v);
    }

    private String png(String name, JFreeChart chart) {
        FigureCharts.writePng(chart, out, new Path(dir, name));
        html.image(name, chart.getTitle() == null ? name : chart.getTitle().getText());
        return name;
    }

    /** Series per group key from rows holding (group, x, y...). */
    private static Map<String, List<Row>> byKey(List<Row> rows, Function<Row, String> key) {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        rows.forEach(r -> m.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r));
        return m;
    }

    private static double[] column(List<Row> rows, String name) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            Object o = rows.get(i).getAs(name);
            v[i] = o == null ? Double.NaN : ((Number) o).doubleValue();
        }
        return v;
    }

    private List<String> variantsIn(Dataset<Row> table) {
        return collect(table.select("variant").distinct().orderBy("variant")).stream().map(r -> r.getString(0)).toList();
    }

    /** The requested layer if recorded, else the nearest recorded layer below it, else the smallest. */
    static int clip(int requested, TreeSet<Integer> present) {
        if (present.contains(requested)) {
            return requested;
        }
        Integer below = present.floor(requested);
        return below != null ? below : present.first();
    }

    // ---- accuracy (Fig. 1 and 2 numbers) ------------------------------------------------------

    private boolean accuracyDefined;

    private void accuracySummary() {
        html.heading("Accuracy: this run against the paper", "accuracy");
        if (!run.has(MetricTables.CURVES)) {
            html.absent("No curves table: run `analyze` on a run that recorded the metrics table.");
            return;
        }
        Dataset<Row> curves = run.read(MetricTables.CURVES);
        List<org.apache.spark.sql.Column> aggs = new ArrayList<>();
        aggs.add(max(when(col("kind").equalTo("train"), col("step"))).as("last_train_step"));
        aggs.add(max_by(when(col("kind").equalTo("train"), col("accuracy_smoothed")), when(col("kind").equalTo("train"), col("step"))).as("final_train"));
        aggs.add(max(when(col("kind").equalTo("test"), col("step"))).as("last_test_step"));
        aggs.add(max_by(when(col("kind").equalTo("test"), col("accuracy")), when(col("kind").equalTo("test"), col("step"))).as("final_test"));
        aggs.add(count(when(not(isnan(col("accuracy"))), lit(1))).as("defined"));
        for (int t : PaperReference.READ_OFF_STEPS) {
            // accuracy after t steps: the smoothed minibatch accuracy of the last step before t
            org.apache.spark.sql.Column before = col("kind").equalTo("train").and(col("step").lt(t));
            aggs.add(max_by(when(before, col("accuracy_smoothed")), when(before, col("step"))).as("at_" + t));
        }
        List<Row> rows = collect(curves.groupBy("variant").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new org.apache.spark.sql.Column[0]))
                .orderBy("variant"));
        accuracyDefined = rows.stream().anyMatch(r -> r.<Long>getAs("defined") > 0);
        if (!accuracyDefined) {
            html.absent("Accuracy is not defined for this network (a regression, e.g. the deep linear network); the curve figures show loss.");
        }
        html.row();
        List<String> header = new ArrayList<>(List.of("variant"));
        PaperReference.READ_OFF_STEPS.forEach(t -> header.add("train @" + t));
        header.addAll(List.of("final train (step)", "final test (step)", "paper test"));
        List<List<String>> table = new ArrayList<>();
        for (Row r : rows) {
            String v = r.getAs("variant");
            List<String> cells = new ArrayList<>(List.of(v));
            long last = r.getAs("last_train_step") == null ? -1 : r.<Long>getAs("last_train_step");
            for (int t : PaperReference.READ_OFF_STEPS) {
                cells.add(last + 1 >= t ? pct(r.getAs("at_" + t)) : "not reached");
            }
            cells.add(pct(r.getAs("final_train")) + " (" + last + ")");
            cells.add(r.getAs("last_test_step") == null ? "—" : pct(r.getAs("final_test")) + " (" + r.getAs("last_test_step") + ")");
            Double paper = PaperReference.TEST_ACCURACY.get(v);
            cells.add(paper == null ? "—" : pct(paper));
            table.add(cells);
        }
        html.subheading("This run (training accuracy smoothed over " + options.smoothingWindow() + " steps)");
        html.table(header, table);
        html.side();
        html.subheading("Paper (VGG, CIFAR-10; read off the figures)");
        double lr = learningRate();
        List<List<String>> paperRows = new ArrayList<>();
        for (PaperReference.ReadOffs ro : PaperReference.TRAIN_ACCURACY) {
            ro.accuracy().forEach((variant, at) -> paperRows.add(List.of(ro.figure() + ", lr " + ro.learningRate()
                    + (ro.learningRate() == lr ? " (this run's lr)" : ""), variant,
                    at.entrySet().stream().map(e -> e.getKey() + ": " + pct(e.getValue())).collect(Collectors.joining(", ")))));
        }
        html.table(List.of("figure", "variant", "train accuracy at step"), paperRows);
        html.paragraph("Test accuracy: 83% with BatchNorm, 80% without. At lr 0.5 the standard net does not train.");
        sideConfig("lr", "learning", "steps", "batch", "model", "network", "averag", "workers", "seed");
        html.endRow();
    }

    /** Train (smoothed, thinned) and test accuracy (or loss) series for the given variants. */
    private List<FigureCharts.Series> curveSeries(List<String> variants) {
        Dataset<Row> curves = run.read(MetricTables.CURVES).where(col("variant").isin(variants.toArray()));
        Row span = curves.agg(max("step")).first();
        long maxStep = span.isNullAt(0) ? 0 : span.getLong(0);
        long every = Math.max(1, (maxStep + 1 + CURVE_POINTS - 1) / CURVE_POINTS);
        String value = accuracyDefined ? "accuracy" : "loss";
        List<Row> rows = collect(curves.where(col("kind").equalTo("test").or(pmod(col("step"), lit(every)).equalTo(0)))
                .select(col("variant"), col("kind"), col("step"), col(value + "_smoothed").as("y")).orderBy("variant", "kind", "step"));
        List<FigureCharts.Series> series = new ArrayList<>();
        byKey(rows, r -> r.getString(0) + ", " + r.getString(1)).forEach((name, rs) ->
                series.add(new FigureCharts.Series(name, column(rs, "step"), column(rs, "y"))));
        return series;
    }

    private boolean curvesFigure(String file, String title, List<String> variants) {
        List<FigureCharts.Series> series = curveSeries(variants);
        if (series.stream().allMatch(FigureCharts.Series::isEmpty)) {
            html.absent("No training or test rows for " + String.join(", ", variants) + ".");
            return false;
        }
        png(file, FigureCharts.lines(title, "step", accuracyDefined ? "accuracy" : "loss", series));
        return true;
    }

    // ---- distributions (Fig. 1 and 2) ---------------------------------------------------------

    /** Where the distribution figures look: a layer, a point and a unit present in moments. */
    private record Probe(int layer, String point, int unit) {
    }

    private Probe distributionProbe(Dataset<Row> moments) {
        TreeSet<Integer> layers = new TreeSet<>(collect(moments.select("layer").distinct()).stream().map(r -> r.getInt(0)).toList());
        List<Integer> sorted = new ArrayList<>(layers);
        int layer = options.distributionLayer() != null ? clip(options.distributionLayer(), layers) : sorted.get((sorted.size() - 1) / 2);
        List<Row> points = collect(moments.where(col("layer").equalTo(layer)).groupBy("point").agg(max(when(col("unit").equalTo(-1), lit(1))).as("pooled"),
                min("unit").as("first_unit")).orderBy("point"));
        Row chosen = points.stream().filter(r -> r.getString(0).equals("input")).findFirst().orElse(points.get(0));
        int unit = chosen.isNullAt(1) ? chosen.getInt(2) : -1;
        return new Probe(layer, chosen.getString(0), unit);
    }

    private boolean distributionFigure(String file, String title, List<String> variants) {
        if (!run.has(MetricTables.MOMENTS)) {
            html.absent("No moments table (the run recorded no activations): no distribution figure.");
            return false;
        }
        Dataset<Row> moments = run.read(MetricTables.MOMENTS);
        Probe probe = distributionProbe(moments);
        List<Row> rows = collect(moments.where(col("variant").isin(variants.toArray()).and(col("layer").equalTo(probe.layer()))
                        .and(col("point").equalTo(probe.point())).and(col("unit").equalTo(probe.unit())).and(col("p50").isNotNull()))
                .select("variant", "step", "p05", "p50", "p95").orderBy("variant", "step"));
        if (rows.isEmpty()) {
            html.absent("No activation samples for " + String.join(", ", variants) + " at layer " + probe.layer() + ".");
            return false;
        }
        List<FigureCharts.Band> bands = new ArrayList<>();
        byKey(rows, r -> r.getString(0)).forEach((v, rs) -> bands.add(new FigureCharts.Band(v + " p05–p50–p95", column(rs, "step"),
                column(rs, "p05"), column(rs, "p50"), column(rs, "p95"))));
        png(file, FigureCharts.bands(title + ": layer #" + probe.layer() + " " + probe.point()
                + (probe.unit() < 0 ? " (all units)" : " unit " + probe.unit()), "step", "activation", bands));
        return true;
    }

    private List<String> presentAmong(List<String> wanted) {
        if (curveVariants == null) {
            // one Spark job for the whole report, not one per section
            curveVariants = run.has(MetricTables.CURVES) ? variantsIn(run.read(MetricTables.CURVES)) : List.of();
        }
        return wanted.stream().filter(curveVariants::contains).toList();
    }

    private void figure1() {
        html.heading("Fig. 1 — Standard vs. BatchNorm: training and test accuracy, layer-input distributions", "fig1");
        html.paragraph("Training (smoothed minibatch) and test accuracy over steps, and the 5th, 50th and 95th percentile of one "
                + "layer's input over training. The paper's point: BatchNorm trains faster and reaches higher accuracy, while the "
                + "distributions of both nets move comparably.");
        List<String> variants = presentAmong(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM));
        html.row();
        if (!run.has(MetricTables.CURVES)) {
            html.absent("No curves table: no accuracy figure.");
        } else if (variants.isEmpty()) {
            html.absent("The run has neither a standard nor a batchnorm variant.");
        } else {
            curvesFigure("fig1_accuracy.png", "Fig. 1: " + (accuracyDefined ? "accuracy" : "loss"), variants);
            distributionFigure("fig1_distribution.png", "Fig. 1: input distribution", variants);
        }
        html.side();
        html.subheading("Paper");
        html.paragraph("lr 0.1: standard ~49/77/96% training accuracy at 1k/2k/5k steps, BatchNorm ~83/94/99%; test accuracy 80% vs 83%. "
                + "lr 0.5: standard does not train (10%), BatchNorm ~66/85/96%. See the accuracy table above for this run's values.");
        sideConfig("lr", "learning", "steps", "activation");
        html.endRow();
    }

    private void figure2() {
        html.heading("Fig. 2 — Standard, BatchNorm and noisy BatchNorm (injected covariate shift)", "fig2");
        html.paragraph("Noisy BatchNorm adds a random, time-varying shift and scale after every BatchNorm layer (n_μ = 0.5, n_σ = 1.25, "
                + "r_μ = r_σ = 0.1). If BatchNorm helped by reducing internal covariate shift, the noise should hurt.");
        html.row();
        List<String> variants = presentAmong(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM, PaperReference.NOISY));
        if (!run.has(MetricTables.CURVES)) {
            html.absent("No curves table: no accuracy figure.");
        } else if (!variants.contains(PaperReference.NOISY)) {
            html.absent("This run has no noisy-batchnorm variant; Fig. 2 needs it.");
        } else {
            curvesFigure("fig2_accuracy.png", "Fig. 2: " + (accuracyDefined ? "accuracy" : "loss"), variants);
            distributionFigure("fig2_distribution.png", "Fig. 2: input distribution", variants);
        }
        html.side();
        html.subheading("Paper");
        html.paragraph(PaperReference.NOISY_CLAIM + ". Training accuracy at 0.5k/1k/2k/5k steps: noisy BN ~69/77/88/98%, BN ~72/83/94/99%.");
        sideConfig("noise", "noisy", "n_mu", "n_sigma", "r_mu", "r_sigma", "lr");
        html.endRow();
    }

    // ---- Fig. 3: gradient change --------------------------------------------------------------

    private void figure3() {
        html.heading("Fig. 3 — Internal covariate shift as a change of gradients: ‖G − G'‖ and cos(G, G')", "fig3");
        html.paragraph("G is a layer's gradient at the current weights, G' the same layer's gradient after the layers before it took "
                + "their step (same minibatch). Values are means over the workers; W parameters only.");
        html.row();
        if (!run.has(MetricTables.ICS_METRICS)) {
            html.absent("No ics_metrics table: the run recorded no ics rows (probe.ics) or `analyze` has not run.");
            html.side();
        } else {
            Dataset<Row> ics = run.read(MetricTables.ICS_METRICS).where(col("param").equalTo("W"));
            TreeSet<Integer> present = new TreeSet<>(collect(ics.select("layer").distinct()).stream().map(r -> r.getInt(0)).toList());
            List<Integer> layers = options.gradientShiftLayers().stream().map(l -> clip(l, present)).distinct().toList();
            List<Row> rows = collect(ics.where(col("layer").isin(layers.toArray()))
                    .select("variant", "layer", "step", "diff_norm_mean", "cosine_mean").orderBy("layer", "variant", "step"));
            for (int layer : layers) {
                Map<String, List<Row>> byVariant = byKey(rows.stream().filter(r -> r.getInt(1) == layer).toList(), r -> r.getString(0));
                List<FigureCharts.Series> diff = new ArrayList<>();
                List<FigureCharts.Series> cos = new ArrayList<>();
                byVariant.forEach((v, rs) -> {
                    diff.add(new FigureCharts.Series(v, column(rs, "step"), column(rs, "diff_norm_mean")));
                    cos.add(new FigureCharts.Series(v, column(rs, "step"), column(rs, "cosine_mean")));
                });
                png("fig3_layer" + layer + "_diff.png", FigureCharts.lines("Fig. 3: layer #" + layer + " ‖G − G'‖₂", "step", "l2 difference", diff));
                png("fig3_layer" + layer + "_cos.png", FigureCharts.lines("Fig. 3: layer #" + layer + " cos(G, G')", "step", "cosine", cos));
            }
            html.side();
            html.subheading("This run (median over steps)");
            List<Row> medians = collect(ics.where(col("layer").isin(layers.toArray())).groupBy("layer", "variant")
                    .agg(expr("percentile(diff_norm_mean, 0.5)").as("diff"), expr("percentile(cosine_mean, 0.5)").as("cos"),
                            max("vector_check_rel_diff").as("check"))
                    .orderBy("layer", "variant"));
            html.table(List.of("layer", "variant", "median ‖G−G'‖", "median cos", "max vector check rel. diff"), medians.stream()
                    .map(r -> List.of(Integer.toString(r.getInt(0)), r.getString(1), num(r.get(2)), num(r.get(3)), num(r.get(4)))).toList());
            if (!layers.equals(options.gradientShiftLayers())) {
                html.paragraph("Requested layers " + options.gradientShiftLayers() + " clipped to the recorded layers " + present + ".");
            }
        }
        html.subheading("Paper");
        html.paragraph(PaperReference.ICS_CLAIM);
        sideConfig("ics", "lr", "learning");
        html.endRow();
    }

    // ---- Fig. 4: landscape --------------------------------------------------------------------

    private void figure4() {
        html.heading("Fig. 4 — Loss landscape along the gradient: loss band, gradient predictiveness, β-smoothness", "fig4");
        html.paragraph("At each probed step, the loss and ‖∇L(w − ηg) − g‖ over the η grid (bands span η and workers), and the "
                + "effective β-smoothness max_η ‖∇L(w − ηg) − g‖ / ‖ηg‖ (mean over workers).");
        html.row();
        if (!run.has(MetricTables.LANDSCAPE_METRICS)) {
            html.absent("No landscape_metrics table: the run recorded no landscape rows (probe.landscape) or `analyze` has not run.");
            html.side();
        } else {
            Dataset<Row> land = run.read(MetricTables.LANDSCAPE_METRICS);
            List<Row> rows = collect(land.select("variant", "step", "loss_min", "loss_max", "grad_diff_min", "grad_diff_max",
                    "beta_smoothness").orderBy("variant", "step"));
            List<FigureCharts.Band> loss = new ArrayList<>();
            List<FigureCharts.Band> grad = new ArrayList<>();
            List<FigureCharts.Series> beta = new ArrayList<>();
            byKey(rows, r -> r.getString(0)).forEach((v, rs) -> {
                double[] lo = column(rs, "loss_min");
                double[] hi = column(rs, "loss_max");
                double[] glo = column(rs, "grad_diff_min");
                double[] ghi = column(rs, "grad_diff_max");
                loss.add(new FigureCharts.Band(v, column(rs, "step"), lo, mid(lo, hi), hi));
                grad.add(new FigureCharts.Band(v, column(rs, "step"), glo, mid(glo, ghi), ghi));
                beta.add(new FigureCharts.Series(v, column(rs, "step"), column(rs, "beta_smoothness")));
            });
            png("fig4_loss.png", FigureCharts.bands("Fig. 4: loss landscape (min–max over η)", "step", "loss", loss));
            png("fig4_gradient.png", FigureCharts.bands("Fig. 4: gradient predictiveness ‖∇L(w−ηg) − g‖", "step", "l2 difference", grad));
            png("fig4_beta.png", FigureCharts.lines("Fig. 4: effective β-smoothness", "step", "β", beta));
            html.side();
            html.subheading("This run (steps < " + PaperReference.LANDSCAPE_WINDOW_STEPS + ")");
            List<Row> early = collect(land.where(col("step").lt(PaperReference.LANDSCAPE_WINDOW_STEPS)).groupBy("variant")
                    .agg(min("loss_max"), max("loss_max"), min("grad_diff_max"), max("grad_diff_max"),
                            expr("percentile(beta_smoothness, 0.5)"), count(lit(1)))
                    .orderBy("variant"));
            html.table(List.of("variant", "loss upper edge", "grad-diff upper edge", "median β", "steps"), early.stream()
                    .map(r -> List.of(r.getString(0), num(r.get(1)) + " – " + num(r.get(2)), num(r.get(3)) + " – " + num(r.get(4)),
                            num(r.get(5)), Long.toString(r.getLong(6)))).toList());
        }
        html.subheading("Paper (first 3k steps, read off Fig. 4)");
        html.table(List.of("measure", "paper"), List.of(List.of("loss", PaperReference.LANDSCAPE_LOSS_UPPER),
                List.of("gradient difference", PaperReference.LANDSCAPE_GRAD_UPPER)));
        html.paragraph("Claim: " + PaperReference.LANDSCAPE_CLAIM + ". η grid: VGG [0.5, 4] × lr, DLN [0.01, 30] × lr.");
        sideConfig("landscape", "eta", "lr", "learning");
        html.endRow();
    }

    private static double[] mid(double[] lo, double[] hi) {
        double[] m = new double[lo.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (lo[i] + hi[i]) / 2;
        }
        return m;
    }

    // ---- Fig. 8: moment changes ---------------------------------------------------------------

    private void figure8() {
        html.heading("Fig. 8 — Change of layer-input moments between recorded steps: |Δmean| and |Δvariance|", "fig8");
        html.paragraph("The classical view of internal covariate shift: how much a layer's input mean and variance move between "
                + "consecutive recorded steps (averaged over units when per-unit rows exist).");
        html.row();
        if (!run.has(MetricTables.MOMENTS)) {
            html.absent("No moments table: the run recorded no activations (probe.activations) or `analyze` has not run.");
            html.side();
        } else {
            Dataset<Row> moments = run.read(MetricTables.MOMENTS);
            TreeSet<Integer> present = new TreeSet<>(collect(moments.select("layer").distinct()).stream().map(r -> r.getInt(0)).toList());
            List<Integer> layers = options.gradientShiftLayers().stream().map(l -> clip(l, present)).distinct().toList();
            Row units = moments.agg(max(when(col("unit").geq(0), lit(1)))).first();
            boolean perUnit = !units.isNullAt(0);
            List<Row> rows = collect(moments.where(col("layer").isin(layers.toArray()).and(col("point").equalTo("input"))
                            .and(perUnit ? col("unit").geq(0) : col("unit").equalTo(-1)).and(col("delta_mean").isNotNull()))
                    .groupBy("variant", "layer", "step").agg(avg("delta_mean").as("dm"), avg("delta_variance").as("dv"))
                    .orderBy("variant", "layer", "step"));
            if (rows.isEmpty()) {
                html.absent("No layer-input moments with a previous step at layers " + layers + ".");
                html.side();
            } else {
                List<FigureCharts.Series> dm = new ArrayList<>();
                List<FigureCharts.Series> dv = new ArrayList<>();
                byKey(rows, r -> r.getString(0) + ", layer #" + r.getInt(1)).forEach((name, rs) -> {
                    dm.add(new FigureCharts.Series(name, column(rs, "step"), column(rs, "dm")));
                    dv.add(new FigureCharts.Series(name, column(rs, "step"), column(rs, "dv")));
                });
                png("fig8_delta_mean.png", FigureCharts.lines("Fig. 8: |Δ mean| of layer inputs", "step", "|Δ mean|", dm));
                png("fig8_delta_variance.png", FigureCharts.lines("Fig. 8: |Δ variance| of layer inputs", "step", "|Δ variance|", dv));
                html.side();
                html.subheading("This run (median over steps)");
                Map<String, List<Row>> groups = byKey(rows, r -> r.getString(0) + "|" + r.getInt(1));
                List<List<String>> table = new ArrayList<>();
                groups.forEach((k, rs) -> table.add(List.of(k.split("\\|")[0], k.split("\\|")[1],
                        num(median(column(rs, "dm"))), num(median(column(rs, "dv"))))));
                html.table(List.of("variant", "layer", "median |Δmean|", "median |Δvariance|"), table);
            }
        }
        html.subheading("Paper");
        html.paragraph(PaperReference.MOMENTS_CLAIM + ".");
        sideConfig("activation", "sample");
        html.endRow();
    }

    private static double median(double[] v) {
        double[] s = java.util.Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    // ---- ℓp normalization and theory ----------------------------------------------------------

    private void normalizations() {
        List<String> lp = presentAmong(List.of("l1", "l2", "linf"));
        if (lp.isEmpty()) {
            return;
        }
        html.heading("ℓp normalization: is BatchNorm the only smoother?", "lp");
        List<String> variants = presentAmong(List.of(PaperReference.STANDARD, PaperReference.BATCHNORM, "l1", "l2", "linf"));
        html.row();
        curvesFigure("lp_accuracy.png", "ℓp normalization: " + (accuracyDefined ? "accuracy" : "loss"), variants);
        html.side();
        html.subheading("Paper");
        html.paragraph("All ℓp variants match or beat BatchNorm; on the deep linear network ℓ1 does best.");
        sideConfig("norm", "lp", "lr");
        html.endRow();
        reducedRankLevels(variants);
    }

    /**
     * Deep linear network only: each variant's final training loss against the reduced-rank levels
     * L_k of the run's data (manifest data.reduced_rank_losses), and the first step within 1% of
     * the level it reached. The loss of a deep linear net descends through these levels, one
     * direction of A at a time; which level a variant reaches, and when, is the comparison.
     */
    private void reducedRankLevels(List<String> variants) {
        JsonNode levels = run.manifest().path("data").path("reduced_rank_losses");
        if (!levels.isArray() || levels.isEmpty() || variants.isEmpty()) {
            return;
        }
        double[] l = new double[levels.size()];
        for (int k = 0; k < l.length; k++) {
            l[k] = levels.get(k).asDouble();
        }
        Dataset<Row> train = run.read(MetricTables.CURVES).where(col("kind").equalTo("train").and(col("variant").isin(variants.toArray())));
        Map<String, Row> last = new LinkedHashMap<>();
        collect(train.groupBy("variant").agg(max("step"), expr("max_by(loss, step)")))
                .forEach(r -> last.put(r.getString(0), r));
        // the lowest level each variant's final loss is within tolerance of (-1: above L_0)
        Map<String, Integer> reached = new LinkedHashMap<>();
        Column threshold = null;
        for (String v : variants) {
            Row r = last.get(v);
            if (r == null) {
                continue;
            }
            int k = -1;
            for (int i = 0; i < l.length; i++) {
                if (r.getDouble(2) <= levelThreshold(l[i])) {
                    k = i;
                }
            }
            reached.put(v, k);
            if (k >= 0) {
                Column isVariant = col("variant").equalTo(v);
                threshold = threshold == null ? when(isVariant, levelThreshold(l[k])) : threshold.when(isVariant, levelThreshold(l[k]));
            }
        }
        Map<String, Row> first = new LinkedHashMap<>();
        if (threshold != null) {
            collect(train.groupBy("variant").agg(min(when(col("loss").leq(threshold), col("step")))))
                    .forEach(r -> first.put(r.getString(0), r));
        }
        List<List<String>> table = new ArrayList<>();
        reached.forEach((v, k) -> {
            Row f = first.get(v);
            table.add(List.of(v, Long.toString(last.get(v).getLong(1)), num(last.get(v).getDouble(2)),
                    k < 0 ? "above L_0" : "k = " + k + " (L = " + num(l[k]) + ")",
                    k < 0 || f == null || f.isNullAt(1) ? "—" : Long.toString(f.getLong(1))));
        });
        html.subheading("Deep linear network: loss levels");
        html.paragraph("L_k is the smallest mean training loss any linear map of rank ≤ k reaches on this run's data "
                + "(the d − k smallest eigenvalues of A C Aᵀ, C the sample covariance; data.reduced_rank_losses in manifest.json): "
                + java.util.stream.IntStream.range(0, l.length).mapToObj(k -> "L_" + k + " = " + num(l[k]))
                .collect(java.util.stream.Collectors.joining(", ")) + ". A deep linear net's loss descends through these "
                + "levels one direction of A at a time and can sit on one for thousands of steps (a saddle: the initial "
                + "product W_25…W_1 all but annihilates the next direction). So a plateau at L_k is the optimizer's, "
                + "not a bug; which level a variant reaches, and how soon, is what the variants differ in.");
        html.table(List.of("variant", "last step", "final training loss", "lowest level reached (within 1%)", "first step there"), table);
    }

    /** The loss at or below which level {@code l} counts as reached (1% above it; a hair above 0 for L_d = 0). */
    private static double levelThreshold(double l) {
        return LEVEL_TOLERANCE * l + 1e-9;
    }

    private void theoryChecks() {
        if (!run.has(SnapshotTables.THEORY_CHECKS)) {
            return;
        }
        html.heading("BatchNorm theory on real minibatches (Fact C.1, Theorems 4.1 and 4.2)", "theory");
        // lhs > rhs beyond rounding: the printed 1/sqrt(m) form of Theorem 4.1 claims lhs <= rhs
        List<Row> rows = collect(run.read(SnapshotTables.THEORY_CHECKS).groupBy("identity", "variant")
                .agg(count(lit(1)), expr("percentile(rel_error, 0.5)"), max("rel_error"),
                        expr("sum(CASE WHEN lhs > rhs * (1 + 1e-9) THEN 1 ELSE 0 END)"))
                .orderBy("identity", "variant"));
        html.row();
        html.table(List.of("identity", "variant", "checks", "median rel. error", "max rel. error", "lhs > rhs"), rows.stream()
                .map(r -> List.of(r.getString(0), r.getString(1), Long.toString(r.getLong(2)), num(r.get(3)), num(r.get(4)),
                        "thm41_printed".equals(r.getString(0)) ? r.getLong(5) + " of " + r.getLong(2) : "—")).toList());
        long printed = rows.stream().filter(r -> "thm41_printed".equals(r.getString(0))).mapToLong(r -> r.getLong(2)).sum();
        long violated = rows.stream().filter(r -> "thm41_printed".equals(r.getString(0))).mapToLong(r -> r.getLong(5)).sum();
        if (printed > 0) {
            html.paragraph("Theorem 4.1 as printed in the paper (1/√m on the last term) is violated on " + violated + " of "
                    + printed + " units checked here, while the 1/m form (thm41) holds to rounding: the printed form is a "
                    + "known misprint (‖ŷ‖ = √m).");
        }
        html.side();
        html.subheading("Paper");
        html.paragraph(PaperReference.THEORY_CLAIM + ".");
        html.endRow();
    }
}
