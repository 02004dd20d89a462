package bnscope.jobs.cli;

import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code analyze}: the metric tables of one or more runs. */
@Command(name = "analyze", sortOptions = false, sortSynopsis = false, description = "Compute the metric tables (ics_metrics, moments, "
        + "landscape_metrics, curves) of each run with Spark SQL. Exits 1 when a built-in check fails.")
final class AnalyzeCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories written by `train`.")
    List<String> runs;
    @Mixin
    RunWriterOptions writer;
    @Mixin
    HelpOption help;

    AnalyzeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        AnalysisCommands.analyze(runs, writer.master.checked(), writer.lock.breakLock, cli.out());
        return 0;
    }
}
