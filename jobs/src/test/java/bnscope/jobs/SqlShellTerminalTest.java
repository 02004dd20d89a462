package bnscope.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ./submit.sh sql --runs RUN} with no query, as a user meets it: {@code bnscope.jobs.Main} in
 * its own JVM inside a real terminal (a tmux pane on a private tmux server), driven by typing into
 * it ({@code send-keys}) and read back from the screen ({@code capture-pane}). On a tiny trained and
 * analyzed run it lists the views, runs a statement typed over three lines, survives bad SQL and a
 * refused write, exports the docs' final-accuracy query to CSV with {@code \out}, times a statement,
 * describes a view and quits with {@code \q}; its answers are the one-shot command's.
 */
class SqlShellTerminalTest {
    @TempDir
    static Path tmp;
    static Path run;
    static final String SOCKET = "bnscope-shell-test-" + UUID.randomUUID();
    static final String SESSION = "sql";

    @BeforeAll
    static void trainAndAnalyze() {
        run = tmp.resolve("run");
        MainOutcome train = MainOutcome.trainTiny(run, 10);
        assertEquals(0, train.status(), train.err());
        MainOutcome analyze = MainOutcome.of("analyze", run.toString());
        assertEquals(0, analyze.status(), analyze.err());
    }

    @AfterAll
    static void stopTmux() throws Exception {
        tmux("kill-server"); // this test's own server (its private socket) only
    }

    @Test
    void aUserQueriesARunInteractively() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path args = tmp.resolve("java-args.txt");
        // user.home, not HOME: Java takes the home directory from the password database
        List<String> java = new ArrayList<>(List.of("-Xmx2g", "-Duser.home=" + home, "-cp", System.getProperty("java.class.path")));
        java.addAll(List.of(SparkSessions.executorJavaOptions().split(" ")));
        java.addAll(List.of(Main.class.getName(), "sql", "--runs", run.toString()));
        Files.write(args, java.stream().map(a -> "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList());
        String javaBin = new File(System.getProperty("java.home"), "bin/java").toString();
        String command = "cd '" + MainOutcome.repo() + "' && '" + javaBin + "' @'" + args + "'; echo \"[shell exited: $?]\"; sleep 600";
        assertEquals(0, tmux("new-session", "-d", "-s", SESSION, "-x", "220", "-y", "50", "bash", "-c", command));

        screenShows(s -> s.endsWith("bnscope>"), "the prompt"); // capture-pane drops the prompt's trailing blank
        // JLine asks the terminal about itself as it starts reading; keys typed into that exchange could be taken
        // for the terminal's answer. A person takes longer than this to start typing.
        Thread.sleep(1000);
        type("\\tables");
        String tables = screenShows(s -> s.contains("landscape_metrics  1 of 1"), "the list of views");
        assertTrue(tables.contains("curves             1 of 1  Training and test curves (the paper's Fig. 1 and 2)"), tables);

        // one statement over three lines: continuation prompts until the ';'
        type("SELECT variant, count(*) AS n");
        type("FROM curves WHERE kind = 'test'");
        type("GROUP BY variant;");
        String answer = screenShows(s -> s.contains("(1 rows)"), "the answer");
        assertTrue(answer.contains("      -> FROM curves WHERE kind = 'test'"), answer);
        String oneShot = MainOutcome.of("sql", "SELECT variant, count(*) AS n FROM curves WHERE kind = 'test' GROUP BY variant",
                "--runs", run.toString()).out();
        String expectedRow = oneShot.lines().filter(l -> l.startsWith("batchnorm")).findFirst().orElseThrow(() -> new AssertionError(oneShot));
        assertTrue(answer.contains(expectedRow), "shell:\n" + answer + "\none-shot:\n" + oneShot);

        type("SELEC variant FROM curves;");
        screenShows(s -> s.contains("The SQL query cannot run") && s.endsWith("bnscope>"), "the bad-SQL paragraph and a new prompt");
        type("DROP TABLE curves;");
        screenShows(s -> s.contains("The statement is DROP TABLE") && s.endsWith("bnscope>"), "the refusal and a new prompt");

        Path csv = tmp.resolve("final.csv");
        type("\\out " + csv);
        screenShows(s -> s.contains("the next result goes to " + csv), "the \\out confirmation");
        for (String line : Files.readAllLines(MainOutcome.repo().resolve("docs/queries/final-accuracy.sql"))) {
            type(line);
        }
        type(";");
        screenShows(s -> s.contains("wrote " + csv), "the CSV written");
        Path oneShotCsv = tmp.resolve("one-shot.csv");
        MainOutcome written = MainOutcome.of("sql", "-f", MainOutcome.repo().resolve("docs/queries/final-accuracy.sql").toString(),
                "--runs", run.toString(), "--out", oneShotCsv.toString());
        assertEquals(0, written.status(), written.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("run,variant,step,test_accuracy,test_loss", lines.get(0));
        assertEquals(2, lines.size(), lines.toString());
        assertEquals(Files.readAllLines(oneShotCsv), lines);

        type("\\timing");
        screenShows(s -> s.contains("Timing is on."), "timing on");
        type("SELECT max(step) AS last FROM metrics;");
        screenShows(s -> s.contains("(1 rows)\nTime: "), "a timed statement");

        type("\\d curves");
        screenShows(s -> s.contains("accuracy_smoothed  double  fraction 0..1"), "the columns of curves");

        type("\\q");
        screenShows(s -> s.contains("[shell exited: 0]"), "the shell's exit");
        String history = Files.readString(home.resolve(".bnscope_sql_history"), StandardCharsets.UTF_8);
        assertTrue(history.contains("DROP TABLE curves;"), history);
    }

    /** Types {@code line} and Enter once the shell shows a prompt (a new statement's, or a continuation's). */
    private static void type(String line) throws Exception {
        screenShows(s -> s.endsWith("bnscope>") || s.endsWith("->"), "a prompt");
        // tmux reads an argument ending in ';' as the end of its command: "\;" is the literal character
        String keys = line.endsWith(";") ? line.substring(0, line.length() - 1) + "\\;" : line;
        if (!keys.isEmpty()) { // "--": a line such as "-- a comment" is text, not tmux options
            assertEquals(0, tmux("send-keys", "-t", SESSION, "-l", "--", keys));
        }
        assertEquals(0, tmux("send-keys", "-t", SESSION, "Enter"));
    }

    /** Polls the pane (scroll-back included, wrapped lines joined) until {@code ready}; fails after 4 minutes. */
    private static String screenShows(Predicate<String> ready, String what) throws Exception {
        long deadline = System.nanoTime() + 240_000_000_000L;
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = capture();
            if (ready.test(screen)) {
                return screen;
            }
            Thread.sleep(300);
        }
        fail("the terminal never showed " + what + "; it shows:\n" + screen);
        return screen;
    }

    private static String capture() throws Exception {
        Path out = tmp.resolve("pane.txt");
        Process p = new ProcessBuilder("tmux", "-L", SOCKET, "capture-pane", "-p", "-J", "-S", "-", "-t", SESSION)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertEquals(0, p.waitFor());
        return Files.readString(out, StandardCharsets.UTF_8).strip();
    }

    private static int tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
