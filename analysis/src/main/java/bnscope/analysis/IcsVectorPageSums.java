package bnscope.analysis;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The per-row sums of {@code ics_vectors} ({@link IcsVectorSums#SCHEMA}) read straight from the Parquet
 * pages ({@link FloatListPages}): one Spark task per file split of the scan Spark would run, the same
 * splits and row groups, the same values and the same double-precision sums, so the rows equal
 * {@link IcsVectorSums}'s Spark-reader path exactly ({@code IcsVectorPageSumsTest}).
 *
 * <p>The pages of G and G' come from {@link ColumnChunkPages} ({@link PageSource#CHUNKS}, the default)
 * or parquet-mr's row-group reader ({@link PageSource#PARQUET_MR}); the key columns always from
 * parquet-mr. Only files whose G and G' columns have bnscope's layout (a required list of required
 * floats, RLE levels, PLAIN values, no dictionary, Snappy or no compression) are read this way; {@link #readable} checks the footers on
 * the driver and any other file sends the whole job to Spark's reader.
 */
final class IcsVectorPageSums {
    /**
     * The file columns read besides g and g_prime ({@code variant} comes from the partition directory),
     * with their Parquet types in bnscope's writer; a file with another type (e.g. a hand-made one)
     * goes to Spark's reader, which casts.
     */
    private static final Map<String, PrimitiveTypeName> KEY_COLUMNS = Map.of("learning_rate", PrimitiveTypeName.DOUBLE,
            "seed", PrimitiveTypeName.INT64, "worker", PrimitiveTypeName.INT32, "step", PrimitiveTypeName.INT64,
            "layer", PrimitiveTypeName.INT32, "param", PrimitiveTypeName.BINARY);
    private static final Set<Encoding> PAGE_ENCODINGS = EnumSet.of(Encoding.RLE, Encoding.PLAIN);

    private IcsVectorPageSums() {
    }

    /** One byte range of one file, as Spark's scan planned it, and its partition value. */
    record Split(String path, long start, long length, String variant) implements Serializable {
    }

    /** Where the G and G' pages come from: bnscope's chunk reader, or parquet-mr's row-group reader (the earlier default). */
    enum PageSource {
        /** {@link ColumnChunkPages}: page by page into reused buffers (the default). */
        CHUNKS,
        /** parquet-mr's {@code readNextRowGroup}: whole column chunks into fresh buffers. */
        PARQUET_MR
    }

    /**
     * The splits of {@code scan} when every file it reads can be read from its pages, else empty (with
     * the reason). The scan must be partitioned by {@code variant} alone.
     */
    static Optional<List<Split>> splits(FileSourceScanExec scan, Configuration hadoop, StringBuilder whyNot) {
        StructType partitions = scan.relation().partitionSchema();
        if (!Arrays.equals(partitions.fieldNames(), new String[]{"variant"})) {
            whyNot.append("the table is partitioned by ").append(Arrays.toString(partitions.fieldNames())).append(", not by variant alone");
            return Optional.empty();
        }
        List<Split> splits = new ArrayList<>();
        Set<String> checked = new HashSet<>();
        for (org.apache.spark.Partition p : scan.inputRDD().partitions()) {
            for (PartitionedFile f : ((FilePartition) p).files()) {
                String path = f.toPath().toString();
                if (checked.add(path)) {
                    String reason = readable(new Path(path), hadoop);
                    if (reason != null) {
                        whyNot.append(path).append(": ").append(reason);
                        return Optional.empty();
                    }
                }
                String variant = f.partitionValues().isNullAt(0) ? null : f.partitionValues().getUTF8String(0).toString();
                splits.add(new Split(path, f.start(), f.length(), variant));
            }
        }
        return Optional.of(splits);
    }

    /** Null when {@code file} has the layout {@link FloatListPages} reads; otherwise why not. */
    static String readable(Path file, Configuration hadoop) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, hadoop))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (String list : List.of("g", "g_prime")) {
                if (!isFloatList(schema, list)) {
                    return "column " + list + " is not a required list of required floats";
                }
            }
            for (Map.Entry<String, PrimitiveTypeName> key : KEY_COLUMNS.entrySet()) {
                if (schema.containsField(key.getKey()) && (!schema.getType(key.getKey()).isPrimitive()
                        || schema.getType(key.getKey()).asPrimitiveType().getPrimitiveTypeName() != key.getValue())) {
                    return "column " + key.getKey() + " is not a " + key.getValue() + " column";
                }
            }
            for (String key : List.of("worker", "step", "layer")) {
                if (!schema.containsField(key)) {
                    return "it has no column " + key;
                }
            }
            for (BlockMetaData block : reader.getFooter().getBlocks()) {
                for (ColumnChunkMetaData c : block.getColumns()) {
                    String top = c.getPath().toArray()[0];
                    if (!top.equals("g") && !top.equals("g_prime")) {
                        continue;
                    }
                    if (!PAGE_ENCODINGS.containsAll(c.getEncodings())) {
                        return "column " + top + " uses encodings " + c.getEncodings();
                    }
                    if (!ColumnChunkPages.CODECS.contains(c.getCodec())) {
                        return "column " + top + " is compressed with " + c.getCodec();
                    }
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // Spark's reader will report the damaged file with its own message
            return "its footer could not be read (" + e.getMessage() + ")";
        }
    }

    /** {@code required group NAME (LIST) { repeated group list { required float element } }}. */
    private static boolean isFloatList(MessageType schema, String name) {
        if (!schema.containsField(name)) {
            return false;
        }
        Type t = schema.getType(name);
        if (t.isPrimitive() || t.getRepetition() != Type.Repetition.REQUIRED
                || !(t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)) {
            return false;
        }
        GroupType list = t.asGroupType();
        if (list.getFieldCount() != 1 || list.getType(0).isPrimitive() || list.getType(0).getRepetition() != Type.Repetition.REPEATED) {
            return false;
        }
        GroupType repeated = list.getType(0).asGroupType();
        if (repeated.getFieldCount() != 1) {
            return false;
        }
        Type element = repeated.getType(0);
        return element.isPrimitive() && element.getRepetition() == Type.Repetition.REQUIRED
                && element.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT;
    }

    /**
     * The per-row sums of the splits, one task each. A file without a learning_rate or seed column (a
     * run from before grids) gives null there, as Spark's read of it does; the caller fills them in.
     */
    static JavaRDD<Row> of(JavaSparkContext sc, List<Split> splits, PageSource source) {
        // broadcast once, as Spark's own file sources do, instead of serializing the whole Hadoop conf into every task
        Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
        return sc.parallelize(splits, Math.max(1, splits.size())).flatMap(s -> rows(s, conf.value().value(), source).iterator());
    }

    /** The sums of every row of the row groups whose midpoint lies in the split (the rule Spark's reader uses). */
    static List<Row> rows(Split split, Configuration hadoop, PageSource source) throws IOException {
        try {
            return readRows(split, hadoop, source);
        } catch (IOException | RuntimeException e) {
            // name the file: the CLI's damaged-file message takes it from the exception chain
            throw new IOException("cannot read ics_vectors file " + split.path() + ": " + e.getMessage(), e);
        }
    }

    private static List<Row> readRows(Split split, Configuration hadoop, PageSource source) throws IOException {
        List<Row> out = new ArrayList<>();
        ParquetReadOptions options = HadoopReadOptions.builder(hadoop).withRange(split.start(), split.start() + split.length()).build();
        InputFile file = HadoopInputFile.fromPath(new Path(split.path()), hadoop);
        boolean verify = hadoop.getBoolean(ColumnChunkPages.VERIFY_CHECKSUM_KEY, false);
        try (ParquetFileReader reader = new ParquetFileReader(file, options);
             SeekableInputStream gIn = source == PageSource.CHUNKS ? file.newStream() : null;
             SeekableInputStream pIn = source == PageSource.CHUNKS ? file.newStream() : null) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            List<Type> fields = new ArrayList<>();
            for (String name : KEY_COLUMNS.keySet()) {
                if (schema.containsField(name)) {
                    fields.add(schema.getType(name));
                }
            }
            if (source == PageSource.PARQUET_MR) {
                fields.add(schema.getType("g"));
                fields.add(schema.getType("g_prime"));
            }
            // with CHUNKS, parquet-mr reads only the small key columns; the vectors' chunks are read below
            MessageType projection = new MessageType(schema.getName(), fields);
            reader.setRequestedSchema(projection);
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            List<BlockMetaData> blocks = reader.getRowGroups();  // the split's row groups, in the order readNextRowGroup returns them
            PageReadStore group;
            for (int b = 0; (group = reader.readNextRowGroup()) != null; b++) {
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(group, new DummyRecordConverter(projection).getRootConverter(), projection, createdBy);
                ColumnReader lr = reader(store, projection, "learning_rate");
                ColumnReader sd = reader(store, projection, "seed");
                ColumnReader worker = reader(store, projection, "worker");
                ColumnReader step = reader(store, projection, "step");
                ColumnReader layer = reader(store, projection, "layer");
                ColumnReader param = reader(store, projection, "param");
                FloatListPages g = new FloatListPages(pages(source, group, blocks.get(b), projection, "g", gIn, verify), "g");
                FloatListPages p = new FloatListPages(pages(source, group, blocks.get(b), projection, "g_prime", pIn, verify), "g_prime");
                for (long r = 0; r < group.getRowCount(); r++) {
                    if (!g.next() || !p.next()) {
                        throw new IllegalStateException(split.path() + ": a row group of " + group.getRowCount()
                                + " rows has fewer lists of g or g_prime");
                    }
                    out.add(IcsVectorSums.sums(split.variant(), lr == null ? null : (Double) value(lr),
                            sd == null ? null : (Long) value(sd), (Integer) value(worker), (Long) value(step),
                            (Integer) value(layer), param == null ? null : (String) value(param),
                            g.row(), g.length(), p.row(), p.length()));
                }
            }
        }
        return out;
    }

    /** The pages of list column {@code list} in row group {@code group} ({@code block}), from {@code source}. */
    private static PageReader pages(PageSource source, PageReadStore group, BlockMetaData block, MessageType projection,
                                    String list, SeekableInputStream in, boolean verify) throws IOException {
        return source == PageSource.CHUNKS ? new ColumnChunkPages(in, chunk(block, list), list, verify)
                : group.getPageReader(leaf(projection, list));
    }

    /** The column chunk of list column {@code list} in {@code block}. */
    static ColumnChunkMetaData chunk(BlockMetaData block, String list) {
        return block.getColumns().stream().filter(c -> c.getPath().toArray()[0].equals(list)).findFirst()
                .orElseThrow(() -> new IllegalStateException("a row group has no column " + list));
    }

    private static ColumnDescriptor leaf(MessageType projection, String list) {
        return projection.getColumns().stream().filter(c -> c.getPath()[0].equals(list)).findFirst().orElseThrow();
    }

    private static ColumnReader reader(ColumnReadStoreImpl store, MessageType projection, String name) {
        return projection.containsField(name) ? store.getColumnReader(projection.getColumnDescription(new String[]{name})) : null;
    }

    /** The reader's current value (null for a missing optional one), then moves to the next. */
    private static Object value(ColumnReader c) {
        ColumnDescriptor d = c.getDescriptor();
        Object v = null;
        if (c.getCurrentDefinitionLevel() == d.getMaxDefinitionLevel()) {
            v = switch (d.getPrimitiveType().getPrimitiveTypeName()) {
                case INT32 -> c.getInteger();
                case INT64 -> c.getLong();
                case DOUBLE -> c.getDouble();
                case BINARY -> c.getBinary().toStringUsingUTF8();
                default -> throw new IllegalStateException("unexpected type of column " + d);
            };
        }
        c.consume();
        return v;
    }
}
