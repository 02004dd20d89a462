package bnscope.analysis;

import bnscope.analysis.report.ReportJob;
import bnscope.core.BadInputException;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs every applicable metric job on one or more run directories, then (optionally) the report.
 * A job whose snapshot inputs are absent is skipped with a console line saying which table is
 * missing. Entry point of {@code ./submit.sh analyze RUN_DIR...}.
 */
public final class AnalyzeJob {
    private AnalyzeJob() {
    }

    /** The metric jobs, in the order they run. */
    public static List<MetricJob> jobs() {
        return List.of(new CurvesJob(), new IcsMetricsJob(), new MomentsJob(), new LandscapeMetricsJob());
    }

    /** Analyzes each run, printing progress to System.out; returns 0, or 1 when a built-in check failed. */
    public static int run(SparkSession spark, List<String> runDirs, AnalyzeOptions options) {
        return run(spark, runDirs, options, System.out);
    }

    public static int run(SparkSession spark, List<String> runDirs, AnalyzeOptions options, PrintStream console) {
        if (runDirs.isEmpty()) {
            throw new BadInputException("analyze needs at least one run directory (the folder a training run wrote, holding manifest.json).");
        }
        int status = 0;
        for (String dir : runDirs) {
            RunDirectory run = RunDirectory.open(spark, dir);
            console.printf("analyze %s (run %s, status %s)%n", run.path(), run.name(), run.status());
            if (!run.hasManifest()) {
                console.println("  note: no manifest.json; the report will show no run config");
            }
            List<TableSchema> present = run.present(SnapshotTables.all());
            if (present.isEmpty()) {
                throw new BadInputException("Run directory " + run.path() + " holds none of the snapshot tables ("
                        + SnapshotTables.all().stream().map(TableSchema::name).collect(Collectors.joining(", "))
                        + "). Pass the directory a training run wrote, after it committed at least one split.");
            }
            for (MetricJob job : jobs()) {
                List<String> missing = job.requiredInputs().stream().filter(t -> !present.contains(t))
                        .map(TableSchema::name).toList();
                if (!missing.isEmpty()) {
                    console.printf("  %-18s skipped: no %s table%n", job.output().name(), String.join(", ", missing));
                    continue;
                }
                long start = System.nanoTime();
                MetricJob.JobOutcome outcome = job.run(run, options);
                console.printf(Locale.ROOT, "  %-18s %,d rows in %.1f s; %s%n", job.output().name(), outcome.rows(),
                        (System.nanoTime() - start) / 1e9, outcome.summary());
                if (outcome.checkFailed()) {
                    status = 1;
                }
            }
            if (options.report()) {
                long start = System.nanoTime();
                String index = ReportJob.write(run, options);
                console.printf(Locale.ROOT, "  %-18s %s in %.1f s%n", "report", index, (System.nanoTime() - start) / 1e9);
            }
        }
        return status;
    }
}
