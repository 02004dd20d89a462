package bnscope.analysis;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads one Parquet column chunk of a list of floats, row by row, straight from its data pages:
 * the layout bnscope writes G and G' chunks in ({@code required group g (LIST) { repeated group list
 * { required float element } }}: repetition and definition levels of at most 1, RLE-encoded, PLAIN
 * values).
 *
 * <p>Why not Spark's reader: its nested-column vectorized reader writes both levels of every element
 * into int column vectors and then assembles every array element by element; a JFR profile of the
 * ics_metrics recomputation put about 40% of the CPU there and 15% in the sums themselves
 * (docs/analysis.md, "ics_metrics against DuckDB"). Here the levels are read run by run, which for
 * a list of 4,096 floats is a handful of runs, and the floats are copied in bulk. The pages come
 * decompressed from a {@link PageReader}: {@link ColumnChunkPages} by default, parquet-mr's own
 * row-group reader with {@code spark.bnscope.icsVectorReader=parquet-pages}; only the
 * RLE/bit-packed hybrid runs of the levels and the PLAIN floats are decoded here.
 * {@link IcsVectorPageSums#readable} checks that a file has this layout before this class sees it.
 */
final class FloatListPages {
    private final PageReader pages;
    private final String column;
    private boolean firstPage = true;
    private boolean exhausted;

    // the current page: its levels, where rows start (level positions), its present values
    private int levels;
    private int[] starts = new int[64];
    private int startCount;
    private int nextStart;
    private float[] values = new float[0];
    /** Values before each level position when some levels are empty lists; null when every level holds a value. */
    private int[] valuesBefore;
    private int position;

    private float[] row = new float[4096];
    private int length;

    FloatListPages(PageReader pages, String column) {
        this.pages = pages;
        this.column = column;
    }

    /** The current row's floats, {@link #length()} of them (the array is reused by the next row). */
    float[] row() {
        return row;
    }

    int length() {
        return length;
    }

    /** Moves to the next row; false after the column chunk's last one. */
    boolean next() {
        if (firstPage) {
            firstPage = false;
            if (!loadPage()) {
                exhausted = true;
            } else if (startCount == 0 || starts[0] != 0) {
                throw corrupt("its first page does not begin with a row");
            }
        }
        if (exhausted || (position >= levels && !loadPage())) {
            exhausted = true;
            return false;
        }
        // position is a row start; the row runs to the next start, across pages if it must
        length = 0;
        nextStart++;
        while (true) {
            int end = nextStart < startCount ? starts[nextStart] : levels;
            append(position, end);
            position = end;
            if (end < levels) {
                return true;
            }
            if (!loadPage()) {
                exhausted = true;
                return true;
            }
            if (startCount > 0 && starts[0] == 0) {
                return true;
            }
        }
    }

    private void append(int from, int to) {
        int a = valuesBefore == null ? from : valuesBefore[from];
        int b = valuesBefore == null ? to : valuesBefore[to];
        int n = b - a;
        if (length + n > row.length) {
            row = Arrays.copyOf(row, Math.max(row.length * 2, length + n));
        }
        System.arraycopy(values, a, row, length, n);
        length += n;
    }

    /** Reads the next data page; false when there is none. */
    private boolean loadPage() {
        DataPage page = pages.readPage();
        if (page == null) {
            return false;
        }
        page.accept(new DataPage.Visitor<Void>() {
            @Override
            public Void visit(DataPageV1 p) {
                if (p.getRlEncoding() != Encoding.RLE || p.getDlEncoding() != Encoding.RLE || p.getValueEncoding() != Encoding.PLAIN) {
                    throw unsupported(p.getRlEncoding() + "/" + p.getDlEncoding() + "/" + p.getValueEncoding());
                }
                ByteBuffer in = buffer(p.getBytes());
                decode(p.getValueCount(), lengthPrefixed(in), lengthPrefixed(in), in);
                return null;
            }

            @Override
            public Void visit(DataPageV2 p) {
                if (p.getDataEncoding() != Encoding.PLAIN) {
                    throw unsupported(p.getDataEncoding().toString());
                }
                decode(p.getValueCount(), buffer(p.getRepetitionLevels()), buffer(p.getDefinitionLevels()), buffer(p.getData()));
                return null;
            }
        });
        return true;
    }

    private static ByteBuffer buffer(BytesInput bytes) {
        try {
            return bytes.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next {@code int32 length, bytes} section of a version-1 page, as its own buffer; {@code in} moves past it. */
    private static ByteBuffer lengthPrefixed(ByteBuffer in) {
        int n = in.getInt();
        ByteBuffer section = in.slice().limit(n);
        in.position(in.position() + n);
        return section;
    }

    private void decode(int levelCount, ByteBuffer repetition, ByteBuffer definition, ByteBuffer data) {
        levels = levelCount;
        position = 0;
        nextStart = 0;
        startCount = 0;
        Levels.decode(repetition, levelCount, (at, count, level) -> {
            if (level == 0) {
                if (startCount + count > starts.length) {
                    starts = Arrays.copyOf(starts, Math.max(starts.length * 2, startCount + count));
                }
                for (int i = 0; i < count; i++) {
                    starts[startCount++] = at + i;
                }
            }
        });
        // the common case, one run of present elements, needs no per-level bookkeeping
        int[] present = {0};
        Levels.decode(definition.duplicate(), levelCount, (at, count, level) -> present[0] += level * count);
        valuesBefore = null;
        if (present[0] < levelCount) {
            int[] before = new int[levelCount + 1];
            Levels.decode(definition, levelCount, (at, count, level) -> {
                for (int i = 1; i <= count; i++) {
                    before[at + i] = before[at] + level * i;
                }
            });
            valuesBefore = before;
        }
        int n = present[0];
        if (data.remaining() < 4L * n) {
            throw corrupt("a page holds " + data.remaining() + " bytes of values for " + n + " floats");
        }
        if (values.length < n) {
            values = new float[Math.max(n, values.length * 2)];
        }
        data.asFloatBuffer().get(values, 0, n);
    }

    private IllegalStateException unsupported(String encodings) {
        return new IllegalStateException("column " + column + ": page encodings " + encodings
                + " are not the RLE levels and PLAIN floats this reader decodes (IcsVectorPageSums.readable should have sent the file to Spark's reader)");
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("column " + column + " is not a valid Parquet list of floats: " + what);
    }

    /** The RLE/bit-packed hybrid encoding of Parquet levels of bit width 1 (a maximum level of 1), delivered run by run. */
    static final class Levels {
        interface Runs {
            /** {@code count} levels equal to {@code level}, starting at level position {@code at}. */
            void run(int at, int count, int level);
        }

        private Levels() {
        }

        /** Decodes the first {@code count} levels of width 1 from {@code in} (without a length prefix). */
        static void decode(ByteBuffer in, int count, Runs out) {
            int at = 0;
            while (at < count) {
                int header = readVarInt(in);
                if ((header & 1) == 0) {
                    int n = Math.min(header >>> 1, count - at);
                    int level = in.get() & 0xFF;
                    if (level > 1) {
                        throw new IllegalStateException("a level of " + level + " in a list of floats (at most 1)");
                    }
                    out.run(at, n, level);
                    at += n;
                } else {
                    int groups = header >>> 1;
                    for (int g = 0; g < groups; g++) {
                        int bits = in.get() & 0xFF; // width 1: eight levels per byte, least significant first
                        for (int b = 0; b < 8 && at < count; b++) {
                            out.run(at++, 1, (bits >>> b) & 1);
                        }
                    }
                }
            }
        }

        private static int readVarInt(ByteBuffer in) {
            int value = 0;
            int shift = 0;
            while (true) {
                int b = in.get() & 0xFF;
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
                shift += 7;
            }
        }
    }
}
