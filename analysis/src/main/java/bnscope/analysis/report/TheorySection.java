package bnscope.analysis.report;

import bnscope.core.tables.SnapshotTables;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.*;

/** The theory_checks table (written by `theory`): BatchNorm's identities checked on the run's real minibatches. */
public final class TheorySection extends HeadedSection {
    /** The identity id of Theorem 4.1 in the form the paper prints (1/√m). */
    static final String THM41_PRINTED = "thm41_printed";

    public TheorySection() {
        super("BatchNorm theory on real minibatches (Fact C.1, Theorems 4.1 and 4.2)",
                "theory",
                List.of());
    }

    @Override
    public boolean appliesTo(ReportContext ctx) {
        return ctx.has(SnapshotTables.THEORY_CHECKS);
    }

    /** The checks of one identity on one variant. {@code violations}: lhs > rhs beyond rounding. */
    record IdentityChecks(String identity, String variant, long checks, Double medianRelError, Double maxRelError, long violations) {
        static IdentityChecks of(Row r) {
            return new IdentityChecks(r.getAs("identity"), r.getAs("variant"), r.<Long>getAs("checks"), r.getAs("median_rel_error"),
                    r.getAs("max_rel_error"), r.<Long>getAs("violations"));
        }

        boolean printedTheorem41() {
            return THM41_PRINTED.equals(identity);
        }
    }

    @Override
    public void render(ReportContext ctx, SectionBuilder out) {
        // lhs > rhs beyond rounding: the printed 1/sqrt(m) form of Theorem 4.1 claims lhs <= rhs
        List<IdentityChecks> rows = ctx.read(SnapshotTables.THEORY_CHECKS).groupBy("identity", "variant")
                .agg(count(lit(1)).as("checks"), expr("percentile(rel_error, 0.5)").as("median_rel_error"), max("rel_error").as("max_rel_error"),
                        expr("sum(CASE WHEN lhs > rhs * (1 + 1e-9) THEN 1 ELSE 0 END)").as("violations"))
                .orderBy("identity", "variant").collectAsList().stream().map(IdentityChecks::of).toList();
        out.row();
        out.table(List.of("identity", "variant", "checks", "median rel. error", "max rel. error", "lhs > rhs"), rows.stream()
                .map(r -> List.of(r.identity(), r.variant(), Long.toString(r.checks()), Cells.num(r.medianRelError()),
                        Cells.num(r.maxRelError()), r.printedTheorem41() ? r.violations() + " of " + r.checks() : Cells.NONE)).toList());
        long printed = rows.stream().filter(IdentityChecks::printedTheorem41).mapToLong(IdentityChecks::checks).sum();
        long violated = rows.stream().filter(IdentityChecks::printedTheorem41).mapToLong(IdentityChecks::violations).sum();
        if (printed > 0) {
            out.paragraph(PaperReference.THM41_MISPRINT + " is violated on " + violated + " of " + printed
                    + " units checked here, while the 1/m form (thm41) holds to rounding: " + PaperReference.THM41_MISPRINT_REASON + ".");
        }
        out.side();
        out.paper(PaperReference.THEORY_CLAIM + ".", settings());
    }
}
