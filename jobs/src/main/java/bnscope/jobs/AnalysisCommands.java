package bnscope.jobs;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import bnscope.analysis.AnalyzeJob;
import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.CompareCommand;
import bnscope.analysis.report.ReportJob;
import bnscope.analysis.DuckDbScript;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.RunViews;
import bnscope.analysis.SqlCommand;
import bnscope.analysis.claims.ClaimsCheck;
import bnscope.analysis.SqlShell;
import bnscope.core.BadInputException;
import bnscope.core.run.RunActivity;
import bnscope.core.run.RunLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Thin entry points for the analysis commands: build the SparkSession, take each run's analysis
 * choices from its own manifest (analysis.smoothing_window, report.layers), hold the run's lock while
 * writing into it (analyze, report), and tell readers (sql, compare) when a run is still being
 * written or was left running by a process that is gone.
 */
public final class AnalysisCommands {
    private AnalysisCommands() {
    }

    private static SparkSession spark(String master) {
        // A task of a reading command fails on a damaged table file; the command turns that into one
        // paragraph naming the file (cli.UnreadableTableFile), so the scheduler's per-task warning with
        // its stack trace is noise here. Training keeps it: there a lost task is worth seeing.
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
        return SparkSessions.create("bnscope-analysis", master, 2);
    }

    /** Analysis options as the run's own config chose them, or the defaults. */
    static AnalyzeOptions options(String runDir) {
        AnalyzeOptions options = AnalyzeOptions.defaults().withReport(false);
        Path dir = new Path(runDir);
        Configuration hadoop = new Configuration();
        if (!RunManifest.exists(dir, hadoop)) {
            return options;
        }
        Map<String, Object> config = RunManifest.read(dir, hadoop).get(m -> m.config);
        if (config != null) {
            if (config.get("analysis.smoothing_window") instanceof Number n) {
                options = options.withSmoothingWindow(n.intValue());
            }
            if (config.get("report.layers") instanceof List<?> list && !list.isEmpty()) {
                options = options.withGradientShiftLayers(list.stream().map(o -> ((Number) o).intValue()).toList());
            }
        }
        return options;
    }

    /** {@code analyze}: throws when a built-in check failed (the lines printed say which). */
    public static void analyze(List<String> runs, String master, PrintStream out) {
        analyze(runs, master, false, out);
    }

    /** Analyzes each run with its own options, holding its lock; throws when a built-in check failed. */
    public static void analyze(List<String> runs, String master, boolean breakLock, PrintStream out) {
        SparkSession spark = spark(master);
        int failed = 0;
        for (String run : runs) {
            try (RunLock lock = lock(run, "analyze", breakLock, out)) {
                failed += AnalyzeJob.run(spark, List.of(run), options(run), out) == 0 ? 0 : 1;
            }
        }
        if (failed != 0) {
            throw new IllegalStateException("analysis of " + failed + " of " + runs.size() + " runs failed (see the lines above)");
        }
    }

    /** {@code report}: returns the path of the report's index.html. */
    public static String report(String run, String master, PrintStream out) {
        return report(run, master, false, out);
    }

    public static String report(String run, String master, boolean breakLock, PrintStream out) {
        try (RunLock lock = lock(run, "report", breakLock, out)) {
            return ReportJob.run(spark(master), run, options(run).withReport(true));
        }
    }

    /** Takes the lock of an existing run directory for {@code command} (after printing what its manifest says). */
    private static RunLock lock(String run, String command, boolean breakLock, PrintStream out) {
        Path dir = new Path(run);
        Configuration hadoop = new Configuration();
        try {
            if (!dir.getFileSystem(hadoop).isDirectory(dir)) {
                throw new BadInputException("Run directory " + run + " does not exist or is not a directory. Pass the "
                        + "directory a training run wrote (the one holding manifest.json and the table folders).");
            }
            RunActivity.notice(dir, hadoop).ifPresent(out::println);
            return RunLock.acquire(dir, hadoop, command + " " + run, breakLock, out);
        } catch (IOException e) {
            throw new BadInputException("Cannot write into the run directory " + run + " (" + e.getMessage() + "); `"
                    + command + "` writes its tables there. Check the directory's permissions.", e);
        }
    }

    /** One line per run that is being written or was left running by a process that is gone. */
    private static void noticeReaders(List<String> runs, PrintStream out) {
        Configuration hadoop = new Configuration();
        for (String run : runs) {
            RunActivity.notice(new Path(run), hadoop).ifPresent(out::println);
        }
    }

    /** {@code sql}: the query over the views of {@code runs}; returns the exit status. */
    public static int sql(List<String> runs, String query, SqlCommand.Options options, String master, PrintStream out) {
        noticeReaders(runs, out);
        return SqlCommand.run(spark(master), runs, query, options, out);
    }

    /** {@code claims}: prints the claims table of an analyzed run; returns {@link ClaimsCheck#status}. */
    public static int claims(String run, ClaimsCheck.Format format, List<Integer> expected, String master, PrintStream out) {
        noticeReaders(List.of(run), out);
        return ClaimsCheck.run(spark(master), run, options(run), format, expected, out);
    }

    /**
     * {@code sql} with no query: the interactive shell over the views of {@code runs}; the Spark
     * session starts in the background while the first statement is typed.
     */
    public static int sqlShell(List<String> runs, int maxRows, String master, PrintStream out, Function<Throwable, String> errors)
            throws IOException {
        noticeReaders(runs, out);
        // Spark warns once about the host name while the first statement is typed: noise in the middle of a prompt
        Configurator.setLevel("org.apache.spark.util.Utils", Level.ERROR);
        return SqlShell.run(() -> spark(master), runs, maxRows, out, errors);
    }

    /** {@code sql --duckdb}: prints the views of {@code runs} as a DuckDB script; no Spark session starts. */
    public static int duckdbScript(List<String> runs, PrintStream out) {
        Configuration hadoop = new Configuration();
        for (String run : runs) { // as SQL comments: the output is the script
            RunActivity.notice(new Path(run), hadoop).ifPresent(n -> out.println("-- " + n));
        }
        out.print(DuckDbScript.of(RunViews.open(null, runs.stream().map(r -> RunDirectory.openFiles(hadoop, r)).toList())));
        return 0;
    }

    /** {@code compare}: returns 0, or 1 past the tolerance. */
    public static int compare(String a, String b, double tolerance, String master, PrintStream out) {
        noticeReaders(List.of(a, b), out);
        return CompareCommand.run(spark(master), a, b, tolerance, out);
    }
}
