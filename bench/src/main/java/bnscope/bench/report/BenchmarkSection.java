package bnscope.bench.report;

import java.util.Map;

/**
 * One section of BENCHMARKS.md. A section renders its tables from the run's figures and says how its
 * figures were measured; the notes are numbered across the whole file ({@link Footnotes}), so a
 * section refers to its notes by id and never by number.
 */
public interface BenchmarkSection {

    void render(BenchmarkFigures f, Footnotes notes, StringBuilder md);

    /** How this section's figures were measured: note id to text, in the order they should be listed. */
    default Map<String, String> howMeasured(BenchmarkFigures f) {
        return Map.of();
    }
}
