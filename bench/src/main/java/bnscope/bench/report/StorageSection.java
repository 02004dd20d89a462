package bnscope.bench.report;

import java.util.Map;

import static bnscope.bench.report.BenchmarkFigures.fmt;
import static bnscope.bench.report.BenchmarkFigures.verdict;

/** Section 3: bytes on disk per stored gradient value of the ics_vectors table. */
public final class StorageSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes n, StringBuilder md) {
        md.append("## 3. Storage\n\n| Figure | Value | Target |\n|---|---|---|\n");
        double b = f.num("storage.bytes_per_value");
        md.append("| **bytes on disk per stored gradient value**, ics_vectors ").append(n.ref("storage")).append(" | ").append(fmt(b, "%.2f")).append(" B")
                .append(verdict(b <= 4.5, b)).append(" (").append(f.text("storage.bytes")).append(" bytes / ").append(f.text("storage.values"))
                .append(" values in ").append(f.text("storage.rows")).append(" rows, ").append(f.text("storage.files")).append(" files) | ≤ 4.5 |\n\n");
    }

    @Override
    public Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of("storage", "**storage** (`bnscope.bench.StorageBenchmark`): total size of the probes-on run's ics_vectors Parquet files ÷ "
                + "the number of float values in their `g` and `g_prime` lists (read back with parquet-avro). Raw float32 is 4 bytes.");
    }
}
