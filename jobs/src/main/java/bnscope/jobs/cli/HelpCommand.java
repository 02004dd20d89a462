package bnscope.jobs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code help [COMMAND]}: the overview, or one command's help. */
@Command(name = "help", description = "Print this help, or one command's.")
final class HelpCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "A command name.")
    String command;

    HelpCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().print(command != null && cli.commandNames().contains(command) ? cli.usage(command) : cli.overview());
        return 0;
    }
}
