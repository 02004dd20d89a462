package bnscope.analysis;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.SeekableInputStream;
import org.xerial.snappy.Snappy;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The data pages of one Parquet column chunk, read page by page from the file into two buffers the
 * reader keeps (the page as stored, and decompressed), for {@link FloatListPages}.
 *
 * <p>Why not parquet-mr's own page reader: it reads a whole row group's column chunks into fresh
 * 8 MB buffers and decompresses every page into a fresh array through direct buffers (Snappy's
 * codec copies heap → direct → heap). For the 640 MB of G and G' in IcsDuckDbBenchmark that is
 * about 1.3 GB of short-lived large arrays per job: G1 treats them as humongous objects and runs
 * concurrent cycles that compete with the two task threads for the machine's two cores
 * (docs/analysis.md, "The page reader"). Here a page costs one read from the file and, when
 * compressed, one Snappy decompression into a reused array. A page becomes invalid when the next
 * is read; {@link FloatListPages} decodes each page before asking for the next.
 *
 * <p>Only SNAPPY and UNCOMPRESSED chunks without a dictionary page are read this way
 * ({@link #CODECS}; {@link IcsVectorPageSums#readable} sends other files to Spark's reader). Page
 * checksums are verified when {@code parquet.page.verify-checksum.enabled} is true, as parquet-mr does.
 */
final class ColumnChunkPages implements PageReader {
    /** The codecs this reader decompresses. */
    static final Set<CompressionCodecName> CODECS = Set.of(CompressionCodecName.SNAPPY, CompressionCodecName.UNCOMPRESSED);
    /** parquet-mr's key (default false) for verifying page CRCs on read. */
    static final String VERIFY_CHECKSUM_KEY = "parquet.page.verify-checksum.enabled";
    private static final ParquetMetadataConverter CONVERTER = new ParquetMetadataConverter();

    private final CountingStream in;
    private final String column;
    private final boolean compressed;
    private final boolean verifyChecksums;
    private final long totalValues;
    private final long chunkBytes;
    private long valuesRead;
    private byte[] stored = new byte[0];
    private byte[] page = new byte[0];

    /**
     * The chunk {@code meta} of {@code file} (a stream this reader now positions and reads; the caller
     * closes it). {@code column} names the column in errors.
     */
    ColumnChunkPages(SeekableInputStream file, ColumnChunkMetaData meta, String column, boolean verifyChecksums) throws IOException {
        if (!CODECS.contains(meta.getCodec())) {
            throw new IllegalStateException("column " + column + " is compressed with " + meta.getCodec()
                    + " (IcsVectorPageSums.readable should have sent the file to Spark's reader)");
        }
        file.seek(meta.getStartingPos());
        this.in = new CountingStream(new BufferedInputStream(file, 64 * 1024));
        this.column = column;
        this.compressed = meta.getCodec() == CompressionCodecName.SNAPPY;
        this.verifyChecksums = verifyChecksums;
        this.totalValues = meta.getValueCount();
        this.chunkBytes = meta.getTotalSize();
    }

    @Override
    public DictionaryPage readDictionaryPage() {
        return null;  // readable() admits no dictionary-encoded chunk
    }

    @Override
    public long getTotalValueCount() {
        return totalValues;
    }

    /** The next data page (index pages are skipped), or null after the chunk's last value. */
    @Override
    public DataPage readPage() {
        try {
            while (valuesRead < totalValues) {
                PageHeader header = Util.readPageHeader(in);
                int size = header.getCompressed_page_size();
                if (size < 0 || header.getUncompressed_page_size() < 0 || in.count + size > chunkBytes) {
                    throw corrupt("a page of " + size + " bytes runs past the column chunk's " + chunkBytes + " bytes");
                }
                stored = atLeast(stored, size);
                if (in.readNBytes(stored, 0, size) != size) {
                    throw new EOFException("the file ends inside a page of column " + column);
                }
                if (verifyChecksums && header.isSetCrc()) {
                    CRC32 crc = new CRC32();
                    crc.update(stored, 0, size);
                    if ((int) crc.getValue() != header.getCrc()) {
                        throw corrupt("a page's CRC does not match its bytes");
                    }
                }
                switch (header.getType()) {
                    case DATA_PAGE -> {
                        return versionOne(header, size);
                    }
                    case DATA_PAGE_V2 -> {
                        return versionTwo(header, size);
                    }
                    case DICTIONARY_PAGE -> throw corrupt("it has a dictionary page");
                    default -> {
                        // an index page: nothing of the values
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read column " + column + ": " + e.getMessage(), e);
        }
    }

    /** A version-1 page: levels and values compressed together. */
    private DataPage versionOne(PageHeader header, int size) throws IOException {
        DataPageHeader h = header.getData_page_header();
        valuesRead += h.getNum_values();
        BytesInput bytes = decompressed(0, size, header.getUncompressed_page_size());
        return new DataPageV1(bytes, h.getNum_values(), header.getUncompressed_page_size(), null,
                CONVERTER.getEncoding(h.getRepetition_level_encoding()),
                CONVERTER.getEncoding(h.getDefinition_level_encoding()), CONVERTER.getEncoding(h.getEncoding()));
    }

    /** A version-2 page: the levels never compressed, the values unless is_compressed is false. */
    private DataPage versionTwo(PageHeader header, int size) throws IOException {
        DataPageHeaderV2 h = header.getData_page_header_v2();
        valuesRead += h.getNum_values();
        int rl = h.getRepetition_levels_byte_length();
        int dl = h.getDefinition_levels_byte_length();
        int data = size - rl - dl;
        if (rl < 0 || dl < 0 || data < 0) {
            throw corrupt("a version-2 page's level lengths exceed its " + size + " bytes");
        }
        BytesInput values = h.isIs_compressed()
                ? decompressed(rl + dl, data, header.getUncompressed_page_size() - rl - dl)
                : BytesInput.from(stored, rl + dl, data);
        return DataPageV2.uncompressed(h.getNum_rows(), h.getNum_nulls(), h.getNum_values(),
                BytesInput.from(stored, 0, rl), BytesInput.from(stored, rl, dl),
                CONVERTER.getEncoding(h.getEncoding()), values, null);
    }

    /** {@code length} stored bytes from {@code offset}, decompressed to {@code uncompressedLength} when the chunk is. */
    private BytesInput decompressed(int offset, int length, int uncompressedLength) throws IOException {
        if (!compressed) {
            return BytesInput.from(stored, offset, length);
        }
        page = atLeast(page, uncompressedLength);
        int n = Snappy.uncompress(stored, offset, length, page, 0);
        if (n != uncompressedLength) {
            throw corrupt("a page decompresses to " + n + " bytes, its header says " + uncompressedLength);
        }
        return BytesInput.from(page, 0, n);
    }

    private static byte[] atLeast(byte[] buffer, int length) {
        return buffer.length >= length ? buffer : new byte[Math.max(length, buffer.length + buffer.length / 2)];
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("column " + column + " is not a valid Parquet column chunk: " + what);
    }

    /** Counts the bytes read from the chunk (page headers are Thrift, read byte by byte), to keep the pages inside it. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        long count;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
