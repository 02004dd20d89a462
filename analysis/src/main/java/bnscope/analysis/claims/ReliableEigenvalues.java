package bnscope.analysis.claims;

import bnscope.core.probes.SharpnessProbe;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Which rows of the {@code sharpness} table give λ_max (the global block's k = 1 eigenvalue) and which
 * of those are reliable: the one rule the claims (9, 10) and the report's λ_max section share.
 * For a symmetric H some exact eigenvalue lies within ‖Hy − λy‖ of λ, so a kept λ_max is within
 * {@link #RESIDUAL_LIMIT} (relative) of one; a larger residual means the eigenpair is not reliable
 * (Lanczos stopped early, or a finite-difference product straddled a kink; docs/sharpness.md).
 */
public final class ReliableEigenvalues {
    /** Largest measured relative residual ‖Hy − λy‖/|λ| of a λ_max that is used. */
    public static final double RESIDUAL_LIMIT = SharpnessProbe.RELIABLE_RESIDUAL;

    /** How many λ_max rows there are and how many of them are left out. */
    public record LeftOut(long rows, long all) {
        public boolean any() {
            return rows > 0;
        }
    }

    private ReliableEigenvalues() {
    }

    /** The λ_max rows: global block, k = 1. */
    public static Dataset<Row> top(Dataset<Row> sharpness) {
        return sharpness.where(col("which").equalTo("global").and(col("k").equalTo(1)));
    }

    /** The λ_max rows whose residual is at most {@link #RESIDUAL_LIMIT}. */
    public static Dataset<Row> reliable(Dataset<Row> sharpness) {
        return top(sharpness).where(col("residual").leq(RESIDUAL_LIMIT));
    }

    /** The λ_max rows and those left out (residual missing or above the limit), counted in one pass. */
    public static LeftOut leftOut(Dataset<Row> sharpness) {
        Column unreliable = col("residual").isNull().or(col("residual").gt(RESIDUAL_LIMIT));
        Row r = top(sharpness).agg(count(lit(1)), sum(when(unreliable, 1).otherwise(0))).first();
        return new LeftOut(r.isNullAt(1) ? 0 : r.getLong(1), r.getLong(0));
    }
}
