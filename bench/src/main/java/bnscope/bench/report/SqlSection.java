package bnscope.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.times;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/**
 * Section 5: what an analyst waits for. Query latency of the one-shot {@code sql} command, the
 * shell's first and warm statements and DuckDB on the same views ({@code bnscope.bench.SqlLatencyBenchmark},
 * figures {@code sql.*}); and the ics_metrics job against DuckDB on the same stored vectors, with
 * where Spark's time goes ({@code bnscope.bench.IcsDuckDbBenchmark}, figures {@code duckdb.*}).
 */
public final class SqlSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 5. SQL: query latency, and ics_metrics against DuckDB\n\n| Figure | Value | Target |\n|---|---|---|\n");
        latency(f, n.ref("sql_latency"), md);
        againstDuckDb(f, n.ref("sql_duckdb"), md);
        md.append('\n');
    }

    private static void latency(BenchmarkFigures f, String lat, StringBuilder md) {
        double warm = f.num("sql.shell_warm_median_s");
        md.append("| one-shot `./submit.sh sql QUERY` (new JVM), median ").append(lat).append(" | ")
                .append(fmt(f.num("sql.one_shot_s"), "%.2f s")).append(" (without the class-data archive, `BNSCOPE_CDS=0`: ")
                .append(fmt(f.num("sql.one_shot_no_archive_s"), "%.2f s")).append(") | |\n");
        md.append("| shell: first statement, from the start of Spark ").append(lat).append(" | ")
                .append(fmt(f.num("sql.shell_first_s"), "%.2f s")).append(" | |\n");
        md.append("| shell: background warm-up after the views, until the first statement (").append(f.text("sql.shell_warm_up_queries", "n/a"))
                .append(" queries) ").append(lat).append(" | ").append(fmt(f.num("sql.shell_warm_up_s"), "%.2f s")).append(" | |\n");
        md.append("| **shell: warm statement** (after the warm-up), median of ").append(f.text("sql.warm_statements", "10")).append(' ').append(lat)
                .append(" | ").append(fmt(warm, "%.3f s")).append(verdict(warm <= 0.5, warm)).append(" (slowest ")
                .append(fmt(f.num("sql.shell_warm_max_s"), "%.3f s")).append(") | ≤ 0.5 s |\n");
        md.append("| DuckDB on the same views: script and first statement / warm median ").append(lat).append(" | ")
                .append(fmt(f.num("sql.duckdb_first_s"), "%.3f s")).append(" / ").append(fmt(f.num("sql.duckdb_warm_median_s"), "%.3f s"))
                .append(" | |\n");
    }

    private static void againstDuckDb(BenchmarkFigures f, String ics, StringBuilder md) {
        // the job as shipped reads the vectors' Parquet pages itself (spark.bnscope.icsVectorReader = pages)
        double job = f.num("duckdb.pages.job_s");
        double duck = f.num("duckdb.duckdb_s");
        double ratio = job / duck;
        md.append("| **ics_metrics job ÷ DuckDB**, same ").append(f.text("duckdb.values", "n/a")).append(" values ").append(ics)
                .append(" | ").append(times(ratio)).append(verdict(ratio <= 2, ratio)).append(" (").append(fmt(job, "%.2f s"))
                .append(" / ").append(fmt(duck, "%.2f s")).append(") | ≤ 2× |\n");
        md.append("| ics_metrics as shipped, the vectors' pages read directly (`spark.bnscope.icsVectorReader=pages`): recompute / whole job ")
                .append(ics).append(" | ").append(fmt(f.num("duckdb.pages.recompute_s"), "%.2f s")).append(" / ")
                .append(fmt(job, "%.2f s")).append(" | |\n");
        md.append("| the same with parquet-mr's row-group reader fetching the pages (`spark.bnscope.icsVectorReader=parquet-pages`): recompute / whole job ")
                .append(ics).append(" | ").append(fmt(f.num("duckdb.parquet_pages.recompute_s"), "%.2f s")).append(" / ")
                .append(fmt(f.num("duckdb.parquet_pages.job_s"), "%.2f s")).append(" | |\n");
        Map<String, String> readers = new LinkedHashMap<>();
        readers.put("on", "on (Spark's defaults, 4,096 rows a batch)");
        readers.put("off", "off");
        readers.put("on_batch256", "on, 256 rows a batch (what ics_metrics uses on Spark's reader)");
        for (var reader : readers.entrySet()) {
            String p = "duckdb.spark_nested_" + reader.getKey() + ".";
            md.append("| Spark's Parquet reader (`spark.bnscope.icsVectorReader=spark`), nested-column vectorized reader ").append(reader.getValue()).append(": bare scan / recompute / whole job ")
                    .append(ics).append(" | ").append(fmt(f.num(p + "scan_s"), "%.2f s")).append(" / ")
                    .append(fmt(f.num(p + "recompute_s"), "%.2f s")).append(" / ").append(fmt(f.num(p + "job_s"), "%.2f s"))
                    .append(" | |\n");
        }
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("sql_latency", "**query latency** (`bnscope.bench.SqlLatencyBenchmark --run RUN`, on the run the benchmark trained "
                + "and analyzed): the one-shot command is `./submit.sh sql \"SELECT variant, count(*) FROM curves GROUP BY variant\"` "
                + "(median of 3 after an untimed run, interleaved with 3 runs with `BNSCOPE_CDS=0`, which start the JVM without "
                + "submit.sh's class-data archive); the shell's first statement is that query timed from the creation of its Spark session "
                + "through the shell's background start (`SqlShell.warm`: the views, a one-row query, every view defined), which "
                + "runs while the user types, so a user waits less; then the shell's background warm-up (`ShellWarmUp`: one "
                + "aggregate per view and a join of curves, generic queries, not the examples; the shell stops it at the user's first "
                + "statement) is run to its end; warm statements are the docs/queries "
                + "examples after it, each run twice on the same session, printed to a discarded stream; DuckDB (JDBC, 2 threads) loads "
                + "`sql --duckdb`'s script and runs the same statements.");
        notes.put("sql_duckdb", "**ics_metrics against DuckDB** (`bnscope.bench.IcsDuckDbBenchmark`, local[2] Spark, best of 3 after a "
                + "warm-up): IcsVectorBenchmark's synthetic vectors; Spark: a bare scan of both arrays, the recomputation up to "
                + "the per-key rows (no write), the whole job (write and vector check too); DuckDB, 2 threads: per-row sums with "
                + "`list_distance`/`list_inner_product` (float arithmetic), the join with the executor scalars, the mean over "
                + "workers, written with COPY to Parquet. ics_metrics reads the G and G' pages itself by default (`IcsVectorPageSums`, `ColumnChunkPages`; `parquet-pages`: parquet-mr fetches them); "
                + "the rows on Spark's reader set `spark.bnscope.icsVectorReader=spark` and `spark.sql.parquet.enableNestedColumnVectorizedReader`.");
        return notes;
    }
}
