package bnscope.jobs.cli;

import bnscope.analysis.CompareCommand;
import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code compare}: the metric tables of two runs, key by key. */
@Command(name = "compare", sortOptions = false, sortSynopsis = false, description = "Compare the metric tables of two runs over matching keys: "
        + "max absolute and relative difference per column, keys in one run only. Exits 1 past the tolerance: the check a "
        + "reproducibility pipeline runs after a re-run.")
final class CompareRunsCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(index = "0", paramLabel = "RUN_A", description = "First run directory.")
    String runA;
    @Parameters(index = "1", paramLabel = "RUN_B", description = "Second run directory.")
    String runB;
    @Option(names = "--tolerance", paramLabel = "X", defaultValue = "" + CompareCommand.DEFAULT_TOLERANCE,
            description = "Largest relative difference accepted (default ${DEFAULT-VALUE}).")
    double tolerance;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    CompareRunsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        return AnalysisCommands.compare(runA, runB, tolerance, master.checked(), cli.out());
    }
}
