package bnscope.jobs.cli;

import bnscope.core.BadInputException;
import bnscope.jobs.RecordedFailure;
import picocli.CommandLine;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What ended a command, as the one paragraph the console shows and the exit status: 2 for bad input
 * (a bad option, a {@link BadInputException} anywhere in the cause chain, an unreadable table file,
 * an unreachable master), 1 for any other failure. Spark wraps causes several levels deep, so the
 * whole chain is searched. The manifest is said to record a failure only when a
 * {@link RecordedFailure} says one did.
 */
public record Failure(int status, String message) {

    public static Failure of(Cli cli, String[] args, Throwable e) {
        String command = args.length == 0 ? "run" : args[0];
        if (e instanceof CommandLine.ParameterException pe) {
            return usageError(cli, pe);
        }
        String recorded = find(e, RecordedFailure.class).map(r -> " The run's " + r.manifest() + " records it as failed.").orElse("");
        Optional<BadInputException> bad = find(e, BadInputException.class);
        if (bad.isPresent()) {
            return new Failure(2, "bnscope " + command + ": " + bad.get().getMessage() + recorded);
        }
        Optional<String> table = UnreadableTableFile.describe(e, directories(args));
        if (table.isPresent()) {
            return new Failure(2, "bnscope " + command + ": " + table.get() + recorded);
        }
        Optional<String> master = UnreachableMaster.describe(masterOf(args), e);
        if (master.isPresent()) {
            return new Failure(2, "bnscope " + command + ": " + master.get() + recorded);
        }
        Throwable failure = e instanceof RecordedFailure && e.getCause() != null ? e.getCause() : e;
        Throwable root = root(failure);
        return new Failure(1, "bnscope " + command + " failed: " + failure.getClass().getSimpleName() + ": " + failure.getMessage()
                + (root != failure ? " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "")
                + "." + recorded + " Set BNSCOPE_DEBUG=1 for the stack trace.");
    }

    private static Failure usageError(Cli cli, CommandLine.ParameterException pe) {
        String name = Cli.nameOf(pe);
        String message = pe.getMessage();
        if (pe instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
        }
        if (name.isEmpty()) {
            return new Failure(2, "bnscope: " + message + ". Commands: " + String.join(", ", cli.commandNames())
                    + ". Run `./submit.sh --help`.");
        }
        return new Failure(2, "bnscope " + name + ": " + message + ". Usage: " + cli.synopsis(name)
                + ". Run `./submit.sh help " + name + "` for what each option means.");
    }

    /** The arguments that name existing local directories: where a damaged table file is looked for. */
    private static List<String> directories(String[] args) {
        List<String> dirs = new ArrayList<>();
        for (String a : args) {
            try {
                if (!a.startsWith("-") && Files.isDirectory(java.nio.file.Path.of(a.replaceFirst("^file:", "")))) {
                    dirs.add(a);
                }
            } catch (java.nio.file.InvalidPathException e) {
                // a query or a key=value, not a path
            }
        }
        return dirs;
    }

    /** The value of --master among the arguments (null: none). */
    private static String masterOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--master") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--master=")) {
                return args[i].substring("--master=".length());
            }
        }
        return null;
    }

    /** The first throwable of {@code type} in the cause and suppressed chain of {@code e}. */
    static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        return chain(e).stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** {@code e}, its causes and their suppressed exceptions, outermost first. */
    static List<Throwable> chain(Throwable e) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
            out.add(t);
            for (Throwable s : t.getSuppressed()) {
                out.addAll(chain(s));
            }
        }
        return out;
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
