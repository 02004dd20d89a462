package bnscope.core.snapshots;

import bnscope.core.tables.TableSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes the rows of one table to one Parquet file through parquet-avro, on any Hadoop file system.
 * Arrays are written in Parquet's standard three-level LIST layout, which Spark SQL reads natively.
 */
public final class ParquetTableWriter implements Closeable {
    private final ParquetWriter<GenericRecord> writer;
    private final Path path;
    private long rows;

    public ParquetTableWriter(TableSchema table, Path path, Configuration conf) {
        this.path = path;
        Configuration c = new Configuration(conf);
        c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
        try {
            this.writer = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(path, c))
                    .withSchema(table.avroSchema())
                    .withConf(c)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Parquet file " + path, e);
        }
    }

    public void write(GenericRecord row) {
        try {
            writer.write(row);
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to Parquet file " + path, e);
        }
    }

    public long rows() {
        return rows;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close Parquet file " + path, e);
        }
    }
}
