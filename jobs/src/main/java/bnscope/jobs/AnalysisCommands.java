package bnscope.jobs;

import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.CompareCommand;
import bnscope.analysis.report.ReportJob;
import bnscope.analysis.SqlCommand;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Thin entry points for the analysis commands: build the SparkSession, take the analysis choices
 * from the run's manifest (analysis.smoothing_window, report.layers), and call the analysis module.
 */
public final class AnalysisCommands {
    private AnalysisCommands() {
    }

    private static SparkSession spark(String master) {
        return SparkSessions.create("bnscope-analysis", master, 2);
    }

    /** Analysis options as the (first) run's config chose them, or the defaults. */
    @SuppressWarnings("unchecked")
    static AnalyzeOptions options(String runDir) {
        AnalyzeOptions options = AnalyzeOptions.defaults().withReport(false);
        Path dir = new Path(runDir);
        Configuration hadoop = new Configuration();
        if (!RunManifest.exists(dir, hadoop)) {
            return options;
        }
        Object config = RunManifest.read(dir, hadoop).get("config");
        if (config instanceof Map<?, ?> map) {
            Object window = map.get("analysis.smoothing_window");
            if (window instanceof Number n) {
                options = options.withSmoothingWindow(n.intValue());
            }
            Object layers = map.get("report.layers");
            if (layers instanceof List<?> list && !list.isEmpty()) {
                options = options.withGradientShiftLayers(list.stream().map(o -> ((Number) o).intValue()).toList());
            }
        }
        return options;
    }

    /** {@code analyze}: throws when a built-in check failed (the lines printed say which). */
    public static void analyze(List<String> runs, String master, PrintStream out) {
        int status = AnalyzeJob.run(spark(master), runs, options(runs.get(0)), out);
        if (status != 0) {
            throw new IllegalStateException("analysis finished with status " + status + " (see the lines above)");
        }
    }

    /** {@code report}: returns the path of the report's index.html. */
    public static String report(String run, String master, PrintStream out) {
        return ReportJob.run(spark(master), run, options(run).withReport(true));
    }

    /** {@code sql}: the query over the views of {@code runs}; returns the exit status. */
    public static int sql(List<String> runs, String query, SqlCommand.Options options, String master, PrintStream out) {
        return SqlCommand.run(spark(master), runs, query, options, out);
    }

    /** {@code compare}: returns 0, or 1 past the tolerance. */
    public static int compare(String a, String b, double tolerance, String master, PrintStream out) {
        return CompareCommand.run(spark(master), a, b, tolerance, out);
    }
}
