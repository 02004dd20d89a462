package bnscope.bench;

import bnscope.core.BadInputException;
import bnscope.core.models.Variant;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a benchmark main's picocli command, so every benchmark parses its options alike: typed
 * options, {@code --help}, and the project's exit statuses. A usage error (unknown option, missing or
 * malformed value) prints picocli's message and the usage and exits 2; a {@link BadInputException}
 * (a missing data directory, a bad config file) prints its one paragraph and exits 2; any other
 * failure is a fault of the benchmark and keeps its stack trace for scripts/benchmark.sh's log.
 */
final class BenchmarkCli {
    private BenchmarkCli() {
    }

    /** The command line of {@code command}, with the project's converters and the bad-input handler. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.registerConverter(Variant.class, Variant::fromName);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BadInputException bad) {
                    line.getErr().println(line.getCommandName() + ": " + bad.getMessage());
                    return CommandLine.ExitCode.USAGE;
                }
            }
            throw e;
        });
        return cl;
    }

    /** A usage error (exit 2) naming the first of the int {@code options} of {@code spec} whose parsed value is below {@code min}. */
    static void atLeast(CommandSpec spec, int min, String... options) {
        for (String option : options) {
            int value = spec.findOption(option).getValue();
            if (value < min) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '" + option + "': " + value + " (expected at least " + min + ").");
            }
        }
    }

    /** Parses {@code args} into {@code command}, runs it and returns the exit status. */
    static int execute(Object command, String... args) {
        return commandLine(command).execute(args);
    }

    /** The body of a benchmark's {@code main}: runs the command and exits with its status. */
    static void main(Object command, String[] args) {
        System.exit(execute(command, args));
    }
}
