package bnscope.jobs.cli;

import bnscope.analysis.claims.Claims;
import bnscope.analysis.claims.ClaimsCheck;
import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code claims}: the paper's claims with the run's numbers and a verdict each; a gate for reproducibility pipelines. */
@Command(name = "claims", sortOptions = false, sortSynopsis = false, description = "Print the paper's claims (1-8; 9-10 on sharpness, "
        + "beyond the paper; docs/analysis.md) with this run's statistic per variant and learning rate (mean ± sd over seeds), the decision rule and a verdict: "
        + "reproduced, not reproduced, inconclusive (one seed, or within the margin) or not measured. Reads the metric tables "
        + "(run `analyze` first), theory_checks and sharpness. With --expect: exit 3 when an expected claim is not reproduced, 4 when "
        + "one is inconclusive or not measured, 0 when all are reproduced.")
final class ClaimsCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "Run directory (analyzed).")
    String run;
    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "text (default): one block per claim; json: the same as one JSON object.")
    String format;
    @Option(names = "--expect", paramLabel = "N,N,...", description = "Claim numbers that must be reproduced, e.g. 1,5,8.")
    String expect;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    ClaimsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        ClaimsCheck.Format f = switch (format) {
            case "text" -> ClaimsCheck.Format.TEXT;
            case "json" -> ClaimsCheck.Format.JSON;
            default -> throw new bnscope.core.BadInputException("--format " + format + ": expected text or json.");
        };
        List<Integer> expected = expect == null ? List.of() : Claims.parseNumbers(expect);
        return AnalysisCommands.claims(run, f, expected, master.checked(), cli.out());
    }
}
