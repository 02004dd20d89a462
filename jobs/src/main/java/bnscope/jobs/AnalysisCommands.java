package bnscope.jobs;

import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.CompareCommand;
import bnscope.analysis.report.ReportJob;
import bnscope.analysis.SqlCommand;
import bnscope.core.BadInputException;
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
final class AnalysisCommands {
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

    static void analyze(List<String> runs, String master, PrintStream out) {
        int status = AnalyzeJob.run(spark(master), runs, options(runs.get(0)), out);
        if (status != 0) {
            throw new IllegalStateException("analysis finished with status " + status + " (see the lines above)");
        }
    }

    static String report(String run, String master, PrintStream out) {
        return ReportJob.run(spark(master), run, options(run).withReport(true));
    }

    static int sql(CommandLine cl, PrintStream out) {
        List<String> runs = cl.values("--runs");
        if (runs.isEmpty()) {
            throw new BadInputException("`sql` needs --runs RUN_DIR... (the run directories whose tables become views).");
        }
        String query;
        if (cl.has("-f")) {
            if (!cl.positional().isEmpty()) {
                throw new BadInputException("`sql` takes either a query or -f FILE, not both.");
            }
            query = SqlCommand.readQueryFile(cl.value("-f"));
        } else {
            cl.requirePositional(1, 1, "one query in quotes (or -f FILE)");
            query = cl.positional().get(0);
        }
        SqlCommand.Options options = SqlCommand.Options.print();
        if (cl.has("--max-rows")) {
            options = options.withMaxRows((int) cl.doubleValue("--max-rows", SqlCommand.Options.DEFAULT_MAX_ROWS));
        }
        if (cl.has("--out")) {
            options = options.withOut(cl.value("--out"));
        }
        return SqlCommand.run(spark(cl.value("--master")), runs, query, options, out);
    }

    static int compare(String a, String b, double tolerance, String master, PrintStream out) {
        return CompareCommand.run(spark(master), a, b, tolerance, out);
    }
}
