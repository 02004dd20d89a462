package bnscope.core.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * One CIFAR-10 batch file as found when its directory was opened: a fully qualified Hadoop path
 * (so that an executor on another machine resolves the same file) and its record count. Small and
 * serializable: Spark tasks carry these and read their record ranges themselves.
 */
public final class CifarBatchFile implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String uri;
    private final int records;

    public CifarBatchFile(String uri, int records) {
        if (records <= 0) {
            throw new IllegalArgumentException("a batch file holds at least one record, got " + records);
        }
        this.uri = Objects.requireNonNull(uri, "uri");
        this.records = records;
    }

    /** Fully qualified path, e.g. {@code file:/data/cifar-10-batches-bin/data_batch_1.bin}. */
    public String uri() {
        return uri;
    }

    /** File name without its folder, e.g. {@code data_batch_1.bin}. */
    public String name() {
        return new org.apache.hadoop.fs.Path(uri).getName();
    }

    public int records() {
        return records;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CifarBatchFile other && other.uri.equals(uri) && other.records == records;
    }

    @Override
    public int hashCode() {
        return uri.hashCode() * 31 + records;
    }

    @Override
    public String toString() {
        return uri + " (" + records + " records)";
    }
}
