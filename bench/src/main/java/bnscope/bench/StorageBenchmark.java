package bnscope.bench;

import bnscope.core.BadInputException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Bytes on disk per stored gradient value in a run's {@code ics_vectors} table: the total size of
 * its Parquet files divided by the number of float values in them (every row's {@code g} and
 * {@code g_prime} lists, read back with parquet-avro). Raw float32 would be 4 bytes; the rest is the per-row keys and
 * Parquet's page and footer overhead.
 *
 * <p>Options: {@code StorageBenchmark --help}. Prints {@code RESULT} lines ({@link BenchmarkResults}).
 */
@Command(name = "StorageBenchmark", mixinStandardHelpOptions = true,
        description = "Bytes on disk per stored gradient value in a run's ics_vectors table.")
public final class StorageBenchmark implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "run directory with an ics_vectors table")
    String runDir;

    public static void main(String[] args) {
        BenchmarkCli.main(new StorageBenchmark(), args);
    }

    @Override
    public Integer call() throws IOException {
        BenchmarkResults results = new BenchmarkResults(System.out);
        Configuration conf = new Configuration();
        Path table = new Path(new Path(runDir), SnapshotTables.ICS_VECTORS.name());
        FileSystem fs = table.getFileSystem(conf);
        if (!fs.exists(table)) {
            throw new BadInputException("no " + SnapshotTables.ICS_VECTORS.name() + " table at " + table
                    + ". Give --run-dir a run directory trained with probes on and probe.ics.vectors = true.");
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
            throw new BadInputException("the ics_vectors Parquet files under " + table + " hold no values"
                    + " (expected the g and g_prime lists of at least one ICS probe). Give --run-dir a run whose ICS probes ran.");
        }
        results.put("storage.files", files);
        results.put("storage.rows", rows);
        results.put("storage.bytes", bytes);
        results.put("storage.values", values);
        results.put("storage.bytes_per_value", bytes / (double) values);
        return 0;
    }
}
