package bnscope.analysis.report;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunDirectory;
import bnscope.analysis.claims.Claims;
import bnscope.analysis.claims.ClaimsTable;
import bnscope.core.tables.MetricTables;
import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

/**
 * What every section may look at, fixed before the first section renders: the run's manifest
 * facts ({@link RunInfo}), the analysis options, the run's tables, and the two facts several
 * sections share (which variants have curves, whether accuracy is defined). Immutable, so the
 * sections can render in any order and a new section cannot change what another one shows.
 */
public final class ReportContext {
    private final RunInfo run;
    private final AnalyzeOptions options;
    private final RunDirectory tables;
    private final List<String> curveVariants;
    private final boolean accuracyDefined;

    private ReportContext(RunInfo run, AnalyzeOptions options, RunDirectory tables, List<String> curveVariants, boolean accuracyDefined) {
        this.run = run;
        this.options = options;
        this.tables = tables;
        this.curveVariants = List.copyOf(curveVariants);
        this.accuracyDefined = accuracyDefined;
    }

    /** Reads the manifest facts and the curves summary of {@code dir} (one small Spark job). */
    public static ReportContext open(RunDirectory dir, AnalyzeOptions options) {
        List<String> variants = List.of();
        boolean defined = false;
        if (dir.has(MetricTables.CURVES)) {
            List<CurveVariant> rows = dir.read(MetricTables.CURVES).groupBy("variant")
                    .agg(count(when(not(isnan(col("accuracy"))), lit(1))).as("defined"))
                    .orderBy("variant").collectAsList().stream().map(CurveVariant::of).toList();
            variants = rows.stream().map(CurveVariant::variant).toList();
            defined = rows.stream().anyMatch(r -> r.definedAccuracies() > 0);
        }
        return new ReportContext(RunInfo.of(dir), options, dir, variants, defined);
    }

    /** A variant of the curves table and how many of its rows have a defined (non-NaN) accuracy. */
    private record CurveVariant(String variant, long definedAccuracies) {
        static CurveVariant of(Row r) {
            return new CurveVariant(r.getAs("variant"), r.<Long>getAs("defined"));
        }
    }

    public RunInfo run() {
        return run;
    }

    public AnalyzeOptions options() {
        return options;
    }

    public boolean has(TableSchema table) {
        return tables.has(table);
    }

    /** The table with its declared schema; see {@link RunDirectory#read}. */
    public Dataset<Row> read(TableSchema table) {
        return tables.read(table);
    }

    /** The paper's claims evaluated on this run's tables (several small queries; the claims section calls it once). */
    public ClaimsTable claims() {
        return Claims.evaluate(tables, options);
    }

    /** The variants that have rows in the curves table, sorted; empty without a curves table. */
    public List<String> curveVariants() {
        return curveVariants;
    }

    /** The variants among {@code wanted} that have curves, in the order of {@code wanted}. */
    public List<String> presentAmong(List<String> wanted) {
        return wanted.stream().filter(curveVariants::contains).toList();
    }

    /** False for a regression (the deep linear network): its metrics rows carry NaN accuracy, so curves show loss. */
    public boolean accuracyDefined() {
        return accuracyDefined;
    }

    /** What the curve figures plot: "accuracy", or "loss" when accuracy is not defined. */
    public String curveMeasure() {
        return accuracyDefined ? "accuracy" : "loss";
    }
}
