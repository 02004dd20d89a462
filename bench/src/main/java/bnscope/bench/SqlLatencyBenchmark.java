package bnscope.bench;

import bnscope.analysis.DuckDbScript;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.RunViews;
import bnscope.analysis.SqlCommand;
import bnscope.analysis.ShellWarmUp;
import bnscope.analysis.SqlShell;
import bnscope.jobs.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Benchmark (not a test): how long an analyst waits for an answer. On one run directory: the
 * one-shot {@code ./submit.sh sql "QUERY"} (its own JVM, median of {@code --one-shot} runs after an
 * untimed one, which creates submit.sh's class-data archive if it is missing), and the same with the
 * archive switched off ({@code BNSCOPE_CDS=0}); the shell's first statement (counted from the start of its JVM's
 * Spark session: the shell starts Spark while the first statement is typed, so a user waits less)
 * and its warm statements (median of the docs/queries examples, each run twice: 10 statements);
 * and DuckDB on the same views ({@code sql --duckdb}'s script through DuckDB's JDBC driver, 2
 * threads): the script's load and first statement, and the median of the same 10 statements.
 * RESULT lines carry the prefix {@code sql.}.
 */
@Command(name = "SqlLatencyBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Query latency: one-shot sql, the shell's first and warm statements, DuckDB on the same views.")
public final class SqlLatencyBenchmark implements Callable<Integer> {
    static final String FIRST = "SELECT variant, count(*) FROM curves GROUP BY variant";

    @Option(names = "--run", paramLabel = "RUN_DIR", required = true, description = "an analyzed run directory (the default run)")
    String run;
    @Option(names = "--queries", paramLabel = "DIR", defaultValue = "docs/queries", description = "the worked examples (default: ${DEFAULT-VALUE})")
    Path queries;
    @Option(names = "--one-shot", paramLabel = "N", defaultValue = "3", description = "one-shot command runs (default: ${DEFAULT-VALUE})")
    int oneShot;
    @Option(names = "--submit", paramLabel = "FILE", defaultValue = "submit.sh", description = "the submit script the one-shot runs go through (default: ${DEFAULT-VALUE})")
    Path submit;

    private final BenchmarkResults results = new BenchmarkResults(System.out);

    public static void main(String[] args) {
        BenchmarkCli.main(new SqlLatencyBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        List<String> statements = new ArrayList<>();
        try (var files = Files.list(queries)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                statements.add(SqlCommand.readQueryFile(f.toString()));
            }
        }
        List<String> warm = new ArrayList<>(statements);
        warm.addAll(statements);
        results.put("sql.warm_statements", warm.size());

        oneShotSeconds(true); // untimed: creates the class-data archive when the jar is newer than it
        double[] oneShots = new double[oneShot];
        double[] withoutArchive = new double[oneShot];
        for (int i = 0; i < oneShot; i++) { // interleaved, so that a change of load falls on both
            oneShots[i] = oneShotSeconds(true);
            withoutArchive[i] = oneShotSeconds(false);
        }
        results.put("sql.one_shot_s", median(oneShots));
        results.put("sql.one_shot_no_archive_s", median(withoutArchive));

        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        long t0 = System.nanoTime();
        SparkSession spark = SparkSessions.create("bnscope-sql-latency", null, 2);
        RunViews views = SqlShell.warm(spark, List.of(run)); // what the shell does while the first statement is typed
        SqlCommand.execute(spark, views, FIRST, SqlCommand.Options.print(), discard);
        results.put("sql.shell_first_s", seconds(t0));
        long w0 = System.nanoTime();
        ShellWarmUp warmUp = new ShellWarmUp(spark, views); // what the shell runs next, until the user's first statement
        warmUp.run();
        results.put("sql.shell_warm_up_s", seconds(w0));
        results.put("sql.shell_warm_up_queries", warmUp.completed());
        double[] sparkWarm = new double[warm.size()];
        for (int i = 0; i < warm.size(); i++) {
            long t = System.nanoTime();
            SqlCommand.execute(spark, views, warm.get(i), SqlCommand.Options.print(), discard);
            sparkWarm[i] = seconds(t);
        }
        results.put("sql.shell_warm_median_s", median(sparkWarm));
        results.put("sql.shell_warm_max_s", Arrays.stream(sparkWarm).max().orElse(Double.NaN));
        spark.stop();

        long d0 = System.nanoTime();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement()) {
            s.execute("SET threads = 2");
            s.execute(DuckDbScript.of(RunViews.open(null, List.of(RunDirectory.openFiles(new Configuration(), run)))));
            drain(s, FIRST);
            results.put("sql.duckdb_first_s", seconds(d0));
            double[] duck = new double[warm.size()];
            for (int i = 0; i < warm.size(); i++) {
                long t = System.nanoTime();
                drain(s, warm.get(i));
                duck[i] = seconds(t);
            }
            results.put("sql.duckdb_warm_median_s", median(duck));
        }
        return 0;
    }

    /** {@code ./submit.sh sql FIRST --runs RUN} as a user runs it, with or without the class-data archive; its wall time. */
    private double oneShotSeconds(boolean archive) throws Exception {
        List<String> cmd = List.of(submit.toAbsolutePath().toString(), "sql", FIRST, "--runs", run);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("BNSCOPE_CDS", archive ? "1" : "0");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the one-shot command " + cmd + " exited with " + p.exitValue());
        }
        return seconds(t0);
    }

    private static void drain(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rs.getObject(1);
            }
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
