package bnscope.analysis.report;

import bnscope.analysis.claims.ClaimResult;
import bnscope.analysis.claims.ClaimsTable;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The report's first section: one row per claim of the paper (issue 11) with the statistic, this
 * run's values per variant and learning rate (mean ± sd over n seeds), the decision rule and the
 * verdict; the same table `./submit.sh claims RUN_DIR` prints.
 */
public final class ClaimsSection extends HeadedSection {
    public ClaimsSection() {
        super("Claims: what this run shows, claim by claim", "claims", List.of("analysis.smoothing_window", "report.layers"));
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        ClaimsTable table = ctx.claims();
        out.paragraph("Each of the paper's claims with the statistic used, its value per variant and learning rate as mean ± sample "
                + "standard deviation over n seeds, the decision rule and a verdict. A difference counts when it exceeds two "
                + "standard errors of the difference (√(sd_a²/n_a + sd_b²/n_b)); with one seed nothing is decided (inconclusive), "
                + "and a claim whose variants, learning rates or tables the run lacks is not measured. " + table.summary() + "."
                + (table.leftOutCells().isEmpty() ? "" : " Left out of every statistic, because they did not finish training: "
                + String.join(", ", table.leftOutCells()) + "."));
        out.table(List.of("#", "claim", "verdict", "statistic", "values (mean ± sd, n seeds)", "decision rule", "why"),
                table.results().stream().map(ClaimsSection::row).toList());
        out.settings(settings());
    }

    private static List<String> row(ClaimResult r) {
        String values = r.values().isEmpty() ? Cells.NONE : r.values().stream()
                .map(v -> v.label() + ": " + v.estimate().format()).collect(Collectors.joining("; "));
        return List.of(Integer.toString(r.number()), r.claim(), r.verdict().label(), r.statistic(), values, r.rule(), r.reason());
    }
}
