package bnscope.analysis.claims;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunDirectory;
import bnscope.core.BadInputException;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.SnapshotTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./submit.sh claims RUN_DIR}: prints the claims table and, for the claims a pipeline expects
 * ({@code --expect}), returns an exit status a scheduler can gate on (docs/errors.md):
 * 0 every expected claim reproduced (or none expected), {@link #NOT_REPRODUCED} an expected claim
 * is contradicted by the data, {@link #UNDECIDED} none is contradicted but one is inconclusive or
 * not measured (the run is too small or lacks its inputs, so the gate cannot pass on it).
 */
public final class ClaimsCheck {
    /** Exit status: an expected claim is not reproduced. */
    public static final int NOT_REPRODUCED = 3;
    /** Exit status: no expected claim is contradicted, but one is inconclusive or not measured. */
    public static final int UNDECIDED = 4;

    /** How the table is printed. */
    public enum Format { TEXT, JSON }

    private ClaimsCheck() {
    }

    public static int run(SparkSession spark, String runDir, AnalyzeOptions options, Format format, List<Integer> expected, PrintStream out) {
        RunDirectory run = RunDirectory.open(spark, runDir);
        List<TableSchema> inputs = Stream.concat(MetricTables.all().stream(), Stream.of(SnapshotTables.THEORY_CHECKS)).toList();
        if (run.present(inputs).isEmpty()) {
            throw new BadInputException("Run directory " + run.path() + " holds none of the tables the claims are computed from ("
                    + inputs.stream().map(TableSchema::name).collect(Collectors.joining(", ")) + "). Run `./submit.sh analyze "
                    + runDir + "` first (and `./submit.sh theory " + runDir + "` for claim 8).");
        }
        ClaimsTable table = Claims.evaluate(run, options);
        out.print(format == Format.JSON ? table.json() : table.text());
        return status(table, expected, format == Format.TEXT ? out : null);
    }

    /** The exit status for {@code expected}; prints one line saying which expected claims failed the gate (when {@code out} is given). */
    public static int status(ClaimsTable table, List<Integer> expected, PrintStream out) {
        List<Integer> contradicted = table.expectedWith(expected, Verdict.NOT_REPRODUCED);
        List<Integer> undecided = new ArrayList<>(table.expectedWith(expected, Verdict.INCONCLUSIVE));
        undecided.addAll(table.expectedWith(expected, Verdict.NOT_MEASURED));
        int status = !contradicted.isEmpty() ? NOT_REPRODUCED : !undecided.isEmpty() ? UNDECIDED : 0;
        if (out != null && !expected.isEmpty()) {
            out.println(switch (status) {
                case NOT_REPRODUCED -> "expected claims NOT reproduced: " + contradicted + (undecided.isEmpty() ? "" : "; undecided: " + undecided)
                        + " (exit " + NOT_REPRODUCED + ")";
                case UNDECIDED -> "expected claims undecided (inconclusive or not measured): " + undecided.stream().sorted().toList()
                        + " (exit " + UNDECIDED + ")";
                default -> "expected claims " + expected + " reproduced";
            });
        }
        return status;
    }
}
