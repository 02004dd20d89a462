package bnscope.bench;

import bnscope.bench.report.BenchmarkFigures;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Section 5 of BENCHMARKS.md from constructed figures: the ratio to DuckDB and the warm-statement target. */
class SqlSectionTest {
    @Test
    void dividesTheJobByDuckDbOfTheSameRunAndChecksTheTargets() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("duckdb.values", "160000000");
        f.put("duckdb.pages.job_s", "1.0"); // the job as shipped (the page reader)
        f.put("duckdb.spark_nested_on_batch256.job_s", "1.2");
        f.put("duckdb.spark_nested_on.job_s", "3.0");
        f.put("duckdb.duckdb_s", "0.4");
        f.put("sql.shell_warm_median_s", "0.3");
        f.put("sql.shell_warm_up_s", "8.4");
        f.put("sql.shell_warm_up_queries", "13");
        String md = BenchmarkReport.render(new BenchmarkFigures(f));
        assertTrue(md.contains("| 2.50× (**misses**) (1.00 s / 0.40 s) | ≤ 2× |"), md);
        assertTrue(md.contains("| 0.300 s (meets) (slowest n/a) | ≤ 0.5 s |"), md);
        assertTrue(md.contains("| shell: background warm-up after the views, until the first statement (13 queries) ") && md.contains(" | 8.40 s | |"), md);
        assertTrue(md.contains("| Spark's Parquet reader (`spark.bnscope.icsVectorReader=spark`), nested-column vectorized reader off: bare scan / recompute / whole job"), md);
    }
}
