package bnscope.analysis;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.AggregateCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The interactive SQL shell ({@code ./submit.sh sql --runs RUN...} with no query): one Spark
 * session and one set of {@link RunViews} for many statements, so only the first statement pays
 * for starting Spark. JLine gives line editing, history ({@code ~/.bnscope_sql_history}) and
 * completion; statements end in {@code ;} and may span lines ({@link StatementLineParser}); lines
 * starting with {@code \} are the shell's commands ({@link ShellCommands}: {@code \tables},
 * {@code \d}, {@code \out}, {@code \timing}, {@code \q}).
 *
 * <p>Each statement runs through {@link SqlCommand#execute}, the one-shot command's path, so the
 * views, the read-only rule and the messages are the same; an error prints its one paragraph and
 * the shell goes on. Spark starts in the background while the first statement is typed, and then
 * warms up on the views ({@link ShellWarmUp}) until the first statement is entered. Ctrl-C
 * clears the line being typed, or cancels the running statement.
 */
public final class SqlShell {
    static final String PROMPT = "bnscope> ";
    static final String CONTINUATION = "      -> ";

    private final CompletableFuture<RunViews> views;
    private final Supplier<SparkSession> spark;
    private final PrintStream console;
    private final Function<Throwable, String> errors;
    final ShellCommands commands;
    private boolean timing;
    private String nextOut;
    /** Set at the first statement: from then on no warm-up starts, and a running one starts no further query. */
    private boolean userStarted;
    private ShellWarmUp warmUp;
    private int maxRows = SqlCommand.Options.DEFAULT_MAX_ROWS;

    private SqlShell(Supplier<SparkSession> spark, CompletableFuture<RunViews> views, RunViews listing,
                     PrintStream console, Function<Throwable, String> errors) {
        this.spark = spark;
        this.views = views;
        this.console = console;
        this.errors = errors;
        this.commands = new ShellCommands(this, listing, console);
    }

    /**
     * Checks the run directories (before anything starts: a bad one ends the command with exit 2),
     * starts the Spark session from {@code sparkFactory} in the background, and reads statements
     * from the terminal until {@code \q} or end of input; returns 0.
     *
     * @param maxRows rows printed of a result (\\rows changes it)
     * @param errors the one-paragraph message for a failed statement (the CLI's, so they read alike)
     */
    public static int run(Supplier<SparkSession> sparkFactory, List<String> runDirs, int maxRows, PrintStream console,
                          Function<Throwable, String> errors) throws IOException {
        Configuration hadoop = new Configuration();
        List<RunDirectory> listed = runDirs.stream().map(d -> RunDirectory.openFiles(hadoop, d)).toList();
        RunViews listing = RunViews.open(null, listed); // no table in any run: one paragraph now, not after Spark started
        CompletableFuture<SparkSession> session = CompletableFuture.supplyAsync(sparkFactory);
        CompletableFuture<RunViews> views = session.thenApply(s -> warm(s, runDirs));
        Supplier<SparkSession> spark = () -> await(session);
        SqlShell shell = new SqlShell(spark, views, listing, console, errors);
        shell.maxRows(maxRows);
        views.thenAccept(v -> shell.startWarmUp(session.join(), v));
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("bnscope-sql")
                    .parser(new StatementLineParser())
                    .completer(new AggregateCompleter(shell.commands.completer(), new StringsCompleter(completions(listing))))
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".bnscope_sql_history"))
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION)
                    .build();
            console.println("bnscope sql over " + String.join(", ", runDirs) + ": statements end in ';', \\help lists the "
                    + "shell's commands, \\q quits. Spark is starting in the background.");
            shell.loop(reader, terminal);
        }
        return 0;
    }

    /**
     * What the shell does in the background once Spark is up, while the first statement is typed: the
     * views over the runs, every one defined (listing its files), so that the first statement naming a
     * view does not wait for that, and one small query so that it does not pay for the reader's warm-up
     * either. Public for the latency benchmark, which measures the shell.
     */
    public static RunViews warm(SparkSession spark, List<String> runDirs) {
        RunViews views = RunViews.register(spark, runDirs.stream().map(d -> RunDirectory.open(spark, d)).toList());
        spark.sql("SELECT * FROM " + views.parts().keySet().iterator().next() + " LIMIT 1").collectAsList();
        return views;
    }

    private static List<String> completions(RunViews listing) {
        List<String> words = new ArrayList<>(listing.parts().keySet());
        words.addAll(List.of("SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "WITH", "JOIN", "DESCRIBE",
                "SHOW TABLES", "EXPLAIN", "run", "variant", "step", "worker", "layer", "learning_rate", "seed"));
        return words;
    }

    private void loop(LineReader reader, Terminal terminal) {
        while (true) {
            String input;
            try {
                input = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C while typing: drop the line
            } catch (EndOfFileException e) {
                return; // Ctrl-D or the end of piped input
            }
            String text = input.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("\\")) {
                if (!commands.run(text)) {
                    return;
                }
                continue;
            }
            Terminal.SignalHandler before = terminal.handle(Terminal.Signal.INT, s -> cancel());
            try {
                statement(text);
            } finally {
                terminal.handle(Terminal.Signal.INT, before);
            }
        }
    }

    /** Starts the background {@link ShellWarmUp}, unless the user's first statement came first. */
    private synchronized void startWarmUp(SparkSession session, RunViews v) {
        if (userStarted) {
            return;
        }
        warmUp = new ShellWarmUp(session, v);
        Thread t = new Thread(warmUp, "bnscope-shell-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** The user goes first: ends the warm-up (for good) before the first statement runs. */
    private synchronized void stopWarmUp() {
        userStarted = true;
        if (warmUp != null) {
            warmUp.stop();
        }
    }

    /** Runs one statement and prints its result (or its error, as one paragraph); the shell goes on either way. */
    void statement(String text) {
        stopWarmUp();
        String out = nextOut;
        nextOut = null; // \out is for the next result only, whether it succeeds or not
        long t0 = System.nanoTime();
        try {
            SqlCommand.Options options = SqlCommand.Options.print().withMaxRows(maxRows);
            if (out == null) {
                SqlCommand.execute(spark.get(), views(), text, options, console);
            } else {
                OutputPath target = OutputPath.check(out);
                target.writeOrRemove(() -> SqlCommand.execute(spark.get(), views(), text, options.withOut(out), console));
            }
        } catch (Exception | Error e) {
            console.println(errors.apply(e));
        }
        if (timing) {
            console.printf(Locale.ROOT, "Time: %.3f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    RunViews views() {
        return await(views);
    }

    SparkSession spark() {
        return spark.get();
    }

    private void cancel() {
        if (views.isDone()) {
            spark.get().sparkContext().cancelAllJobs();
            console.println("cancelling the statement...");
        }
    }

    /** The value of a background start, with its own failure (e.g. bad input) rather than a wrapper. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    boolean toggleTiming() {
        timing = !timing;
        return timing;
    }

    /** Sends the next statement's result to {@code file} (checked now, so a bad path is said before the query is typed). */
    void outNext(String file) {
        new SqlCommand.Options(maxRows, file); // .csv or .parquet, or one paragraph
        OutputPath.check(file);
        nextOut = file;
    }

    void maxRows(int rows) {
        maxRows = new SqlCommand.Options(rows, null).maxRows();
    }

    /** For the shell's own commands: a failure as the one paragraph the statements print. */
    void report(Throwable e) {
        console.println(errors.apply(e));
    }
}
