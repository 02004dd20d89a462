package bnscope.jobs.cli;

import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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
    @Option(names = "--break-lock", description = "Take over the run's lock from a writer that is gone (stale: pid dead or no "
            + "heartbeat for 120 s); a live writer's lock is never broken. See docs/run-directory.md.")
    boolean breakLock;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    AnalyzeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        AnalysisCommands.analyze(runs, master.checked(), breakLock, cli.out());
        return 0;
    }
}
