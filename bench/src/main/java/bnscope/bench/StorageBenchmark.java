package bnscope.bench;

import bnscope.core.tables.SnapshotTables;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.util.List;

/**
 * Bytes on disk per stored gradient value in a run's {@code ics_vectors} table: the total size of
 * its Parquet files divided by the number of float values in them (every row's {@code g} and
 * {@code g_prime} lists, read back with parquet-avro). Raw float32 would be 4 bytes; the rest is the per-row keys and
 * Parquet's page and footer overhead.
 *
 * <p>Usage: {@code StorageBenchmark --run-dir DIR}. Prints {@code RESULT} lines ({@link BenchmarkResults}).
 */
public final class StorageBenchmark {
    private StorageBenchmark() {
    }

    public static void main(String[] argv) throws IOException {
        BenchmarkArgs args = new BenchmarkArgs(argv);
        BenchmarkResults results = new BenchmarkResults(System.out);
        Configuration conf = new Configuration();
        Path table = new Path(new Path(args.required("run-dir")), SnapshotTables.ICS_VECTORS.name());
        FileSystem fs = table.getFileSystem(conf);
        if (!fs.exists(table)) {
            throw new IllegalArgumentException("no " + SnapshotTables.ICS_VECTORS.name() + " table under " + table
                    + ": run the training job with probes on and probe.ics.vectors = true");
        }
        long bytes = 0;
        long values = 0;
        long rows = 0;
        int files = 0;
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(table, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (!f.getPath().getName().endsWith(".parquet")) {
                continue;
            }
            files++;
            bytes += f.getLen();
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(f.getPath(), conf)).withConf(conf).build()) {
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                    rows++;
                    values += ((List<?>) r.get("g")).size() + ((List<?>) r.get("g_prime")).size();
                }
            }
        }
        if (values == 0) {
            throw new IllegalStateException("the ics_vectors files under " + table + " hold no values");
        }
        results.put("storage.files", files);
        results.put("storage.rows", rows);
        results.put("storage.bytes", bytes);
        results.put("storage.values", values);
        results.put("storage.bytes_per_value", bytes / (double) values);
    }
}
