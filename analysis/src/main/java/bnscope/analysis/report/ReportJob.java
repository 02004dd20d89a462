package bnscope.analysis.report;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunDirectory;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes RUN_DIR/report/index.html and its PNG figures: the sections of {@link ReportSections}
 * (one per paper figure, each with the paper's numbers and claims beside this run's, and the run's
 * recorded config once). Sections read only the metric tables (and theory_checks, aggregated in
 * SQL); every query brings a small, already-aggregated result to the driver.
 */
public final class ReportJob {
    public static final String FOLDER = "report";
    public static final String INDEX = "index.html";

    private ReportJob() {
    }

    /** Opens {@code runDir} and writes its report; returns the path of index.html. */
    public static String run(SparkSession spark, String runDir, AnalyzeOptions options) {
        return write(RunDirectory.open(spark, runDir), options);
    }

    /** Writes the report of an opened run (replacing an earlier one); returns the path of index.html. */
    public static String write(RunDirectory run, AnalyzeOptions options) {
        return write(run, options, ReportSections.all());
    }

    /** Writes a report of the given sections, in order. */
    public static String write(RunDirectory run, AnalyzeOptions options, List<ReportSection> sections) {
        ReportContext context = ReportContext.open(run, options);
        List<RenderedSection> rendered = new ArrayList<>();
        for (ReportSection s : sections) {
            if (s.appliesTo(context)) {
                SectionBuilder out = new SectionBuilder(s.title(), s.id());
                s.render(context, out);
                rendered.add(out.build());
            }
        }
        RunInfo info = context.run();
        String page = HtmlReport.page("bnscope report: " + info.name(), intro(info), rendered);

        // no .crc side files next to the figures on a local disk
        FileSystem fs = run.fileSystem() instanceof LocalFileSystem local ? local.getRawFileSystem() : run.fileSystem();
        Path dir = new Path(run.path(), FOLDER);
        try {
            if (fs.exists(dir)) {
                fs.delete(dir, true);
            }
            fs.mkdirs(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        Set<String> files = new HashSet<>();
        for (RenderedSection s : rendered) {
            for (RenderedSection.Figure f : s.figures()) {
                if (!files.add(f.file())) {
                    throw new IllegalStateException("two report figures are named " + f.file());
                }
                FigureCharts.writePng(f.chart(), fs, new Path(dir, f.file()));
            }
        }
        Path index = new Path(dir, INDEX);
        try (OutputStream o = fs.create(index, true)) {
            o.write(page.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + index, e);
        }
        return index.toString();
    }

    private static List<String> intro(RunInfo run) {
        List<String> intro = new ArrayList<>();
        intro.add("Reproduction of " + PaperReference.CITATION + ". Run directory: " + run.path() + "; status: " + run.status() + ".");
        if (!run.variants().isEmpty()) {
            intro.add("Variants: " + String.join(", ", run.variants()) + ".");
        }
        if (!run.unfinishedCells().isEmpty()) {
            intro.add("Not finished: " + run.unfinishedCells().size() + " cell(s) stopped before their last step: "
                    + String.join(", ", run.unfinishedCells()) + ". The figures draw the steps they recorded, so a line or band "
                    + "that ends early, or whose mean shifts where a seed's cell stopped, is one of these; the claims leave them out.");
        }
        return intro;
    }
}
