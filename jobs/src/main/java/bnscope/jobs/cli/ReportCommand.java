package bnscope.jobs.cli;

import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code report}: the HTML report of one run. */
@Command(name = "report", sortOptions = false, sortSynopsis = false, description = "Write RUN_DIR/report/index.html and PNG figures reproducing "
        + "the paper's Fig. 1-4 and 8, our numbers beside the paper's.")
final class ReportCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(paramLabel = "RUN_DIR", description = "Run directory (after `analyze`).")
    String run;
    @Mixin
    RunWriterOptions writer;
    @Mixin
    HelpOption help;

    ReportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out().println("Report: " + AnalysisCommands.report(run, writer.master.checked(), writer.lock.breakLock, cli.out()));
        return 0;
    }
}
