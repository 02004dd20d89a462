package bnscope.jobs;

import bnscope.core.BadInputException;
import bnscope.core.config.ConfigDocs;
import bnscope.core.config.RunConfig;
import bnscope.core.runtime.NativeBackend;
import bnscope.core.tables.TableDocs;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The single entry point behind {@code ./submit.sh} and {@code spark-submit --class bnscope.jobs.Main}:
 * dispatches to the commands in {@link Commands}. Bad input ends with a one-paragraph message and
 * exit status 2, any other failure with a short message and status 1; never a bare stack trace
 * (set BNSCOPE_DEBUG=1 to see one).
 */
public final class Main {
    public static final String DEFAULT_CONF = "conf/default.conf";

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.exit(status);
    }

    /** Runs a command; returns the process exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        NativeBackend.configure();
        String command = args.length == 0 ? "run" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        try {
            return dispatch(command, rest, out);
        } catch (BadInputException e) {
            err.println("bnscope " + command + ": " + e.getMessage());
            debug(e, err);
            return 2;
        } catch (RuntimeException | Error e) {
            Throwable root = rootCause(e);
            if (root instanceof BadInputException bad) {
                err.println("bnscope " + command + ": " + bad.getMessage());
                debug(e, err);
                return 2;
            }
            err.println("bnscope " + command + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + (root != e ? " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "")
                    + (bnscope.core.run.RecordedFailure.in(e) != null ? ". " + bnscope.core.run.RecordedFailure.in(e).manifest()
                    + " records the failure" : "") + "; set BNSCOPE_DEBUG=1 for the stack trace.");
            debug(e, err);
            return 1;
        }
    }

    private static void debug(Throwable e, PrintStream err) {
        if (System.getenv("BNSCOPE_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof BadInputException) {
                return t;
            }
            t = t.getCause();
        }
        return t;
    }

    private static int dispatch(String command, String[] args, PrintStream out) {
        switch (command) {
            case "--help", "-h", "help" -> {
                if (args.length > 0 && Commands.byName(args[0]) != null) {
                    Commands.Command c = Commands.byName(args[0]);
                    out.println("Usage: ./submit.sh " + c.name() + " " + c.synopsis() + "\n\n" + c.description());
                } else {
                    out.print(Commands.usage());
                    out.print(ConfigDocs.plainText());
                }
                return 0;
            }
            case "run" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of(), Set.of("--set", "--master"), Set.of());
                cl.requirePositional(0, 1, "at most one config file");
                RunConfig config = loadConfig(cl.positional().isEmpty() ? defaultConf() : cl.positional().get(0), cl.values("--set"));
                org.apache.hadoop.fs.Path runDir = new TrainJob(config, out).run(new TrainJob.Options(false, null, cl.value("--master")));
                AnalysisCommands.analyze(List.of(runDir.toString()), cl.value("--master"), out);
                String report = AnalysisCommands.report(runDir.toString(), cl.value("--master"), out);
                out.println("\nbnscope: done. Report: " + report + "\n  Explore the tables: ./submit.sh sql \"SELECT * FROM curves\" --runs " + runDir);
                return 0;
            }
            case "train" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of("--resume", "--break-lock"), Set.of("--set", "--master", "--run-dir"), Set.of());
                cl.requirePositional(1, 1, "one config file (e.g. conf/default.conf)");
                RunConfig config = loadConfig(cl.positional().get(0), cl.values("--set"));
                new TrainJob(config, out).run(new TrainJob.Options(cl.has("--resume"), cl.value("--run-dir"), cl.value("--master"),
                        cl.has("--break-lock")));
                return 0;
            }
            case "analyze" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of("--break-lock"), Set.of("--master"), Set.of());
                cl.requirePositional(1, Integer.MAX_VALUE, "one or more run directories");
                AnalysisCommands.analyze(cl.positional(), cl.value("--master"), cl.has("--break-lock"), out);
                return 0;
            }
            case "report" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of("--break-lock"), Set.of("--master"), Set.of());
                cl.requirePositional(1, 1, "one run directory");
                out.println("Report: " + AnalysisCommands.report(cl.positional().get(0), cl.value("--master"), cl.has("--break-lock"), out));
                return 0;
            }
            case "sql" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of(), Set.of("-f", "--out", "--master", "--max-rows"), Set.of("--runs"));
                return AnalysisCommands.sql(cl, out);
            }
            case "compare" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of(), Set.of("--tolerance", "--master"), Set.of());
                cl.requirePositional(2, 2, "two run directories");
                return AnalysisCommands.compare(cl.positional().get(0), cl.positional().get(1), cl.doubleValue("--tolerance", bnscope.analysis.CompareCommand.DEFAULT_TOLERANCE),
                        cl.value("--master"), out);
            }
            case "theory" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of("--break-lock"),
                        Set.of("--master", "--steps", "--units", "--hessian-units", "--hessian-step"), Set.of());
                cl.requirePositional(1, 1, "one run directory");
                return TheoryJob.run(cl.positional().get(0), TheoryJob.Options.parse(cl.value("--steps"), cl.value("--units"),
                        cl.value("--hessian-units"), cl.value("--hessian-step")).withBreakLock(cl.has("--break-lock")), out);
            }
            case "docs" -> {
                CommandLine cl = CommandLine.parse(command, args, Set.of("--check"), Set.of(), Set.of());
                return docs(cl.has("--check"), out);
            }
            default -> throw new BadInputException("Unknown command '" + command + "'. Commands: "
                    + String.join(", ", Commands.ALL.stream().map(Commands.Command::name).toList())
                    + ". Run `./submit.sh --help`.");
        }
    }

    private static RunConfig loadConfig(String path, List<String> overrides) {
        return RunConfig.load(new File(path), overrides);
    }

    /** conf/default.conf of the bnscope installation (submit.sh passes -Dbnscope.home), else of the working directory. */
    private static String defaultConf() {
        String home = System.getProperty("bnscope.home");
        if (home != null && !new File(DEFAULT_CONF).isFile()) {
            return new File(home, DEFAULT_CONF).getPath();
        }
        return DEFAULT_CONF;
    }

    /** The generated documents, by path relative to the repository root. */
    public static Map<String, String> generatedDocs() {
        return Map.of("docs/config.md", ConfigDocs.markdown(), "docs/tables.md", TableDocs.markdown(),
                "docs/cli.md", Commands.markdown());
    }

    private static int docs(boolean check, PrintStream out) {
        int stale = 0;
        for (Map.Entry<String, String> doc : generatedDocs().entrySet()) {
            Path p = Path.of(doc.getKey());
            try {
                boolean same = Files.exists(p) && Files.readString(p).equals(doc.getValue());
                if (check) {
                    out.println((same ? "up to date: " : "STALE:      ") + p);
                    stale += same ? 0 : 1;
                } else if (!same) {
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, doc.getValue());
                    out.println("wrote " + p);
                } else {
                    out.println("up to date: " + p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + p + " (run from the repository root)", e);
            }
        }
        return stale == 0 ? 0 : 1;
    }
}
