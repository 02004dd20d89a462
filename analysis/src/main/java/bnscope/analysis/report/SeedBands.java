package bnscope.analysis.report;

import bnscope.analysis.CellColumns;
import bnscope.analysis.claims.Estimate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.*;

/**
 * How the report draws a grid: per (variant, learning rate) and step, the mean over the seeds as
 * the line and the min–max over the seeds as the band (one seed: the band is the line). Each
 * figure shows one learning rate, so a variant keeps one colour; a run with several learning rates
 * gets one figure per rate.
 */
final class SeedBands {
    /** The band over the seeds at one step of one series. */
    record Point(String series, long step, Double mean, Double low, Double high, long seeds) {
        static Point of(Row r) {
            return new Point(r.getAs("series"), r.<Long>getAs("step"), r.getAs("mean"), r.getAs("low"), r.getAs("high"), r.<Long>getAs("seeds"));
        }
    }

    private SeedBands() {
    }

    /** The learning rates of {@code df}'s rows, ascending (null, a run that does not record it, last). */
    static List<Double> learningRates(Dataset<Row> df) {
        List<Double> rates = new ArrayList<>(df.select(CellColumns.LEARNING_RATE).distinct().collectAsList().stream()
                .map(r -> r.isNullAt(0) ? null : r.getDouble(0)).toList());
        rates.sort(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));
        return rates;
    }

    /** Rows of {@code df} at learning rate {@code lr} (null: not recorded). */
    static Dataset<Row> at(Dataset<Row> df, Double lr) {
        return df.where(lr == null ? col(CellColumns.LEARNING_RATE).isNull() : col(CellColumns.LEARNING_RATE).equalTo(lr));
    }

    /** "" for a run with one learning rate, else "_lr0.1": the figure file's suffix. */
    static String fileSuffix(List<Double> rates, Double lr) {
        return rates.size() <= 1 ? "" : "_lr" + (lr == null ? "unknown" : Estimate.number(lr));
    }

    /** ", lr 0.1" for titles. */
    static String title(Double lr) {
        return lr == null ? "" : ", lr " + Estimate.number(lr);
    }

    /**
     * Mean, min and max over the seeds of {@code value} per {@code series} (a column expression naming
     * the line, starting with the variant) and step, ordered by series and step.
     */
    static List<Point> over(Dataset<Row> df, Column series, Column value) {
        return df.withColumn("series", series).withColumn("v", value).where(col("v").isNotNull())
                .groupBy(col("series"), col("step"))
                .agg(avg("v").as("mean"), min("v").as("low"), max("v").as("high"), countDistinct(col(CellColumns.SEED)).as("seeds"))
                .orderBy("series", "step").collectAsList().stream().map(Point::of).toList();
    }

    /** The points as one band per series. */
    static List<FigureCharts.Band> bands(List<Point> points) {
        List<FigureCharts.Band> out = new ArrayList<>();
        Series.byKey(points, Point::series).forEach((name, ps) -> out.add(new FigureCharts.Band(name,
                Series.doubles(ps, Point::step), Series.values(ps, Point::low), Series.values(ps, Point::mean), Series.values(ps, Point::high))));
        return out;
    }

    /** "mean over 3 seeds, band min–max" (or "one seed" when no series has more). */
    static String legend(List<Point> points) {
        long seeds = points.stream().mapToLong(Point::seeds).max().orElse(0);
        return seeds > 1 ? "line: mean over " + seeds + " seeds, band: min–max over the seeds" : "one seed per line (no band)";
    }
}
