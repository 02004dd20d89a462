package bnscope.jobs.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} on every command: prints the command's help (the same text as docs/cli.md). */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this command's help and exit.")
    boolean help;
}
