package bnscope.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "How each figure was measured" notes of BENCHMARKS.md, numbered in the order the sections
 * declare them. Sections cite a note by id; citing an id no section declares is a programming error.
 */
public final class Footnotes {
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final List<String> order = new ArrayList<>();

    /** Collects every section's notes, in section order. */
    public static Footnotes of(List<BenchmarkSection> sections, BenchmarkFigures f) {
        Footnotes notes = new Footnotes();
        for (BenchmarkSection s : sections) {
            s.howMeasured(f).forEach((id, text) -> {
                if (notes.texts.putIfAbsent(id, text) != null) {
                    throw new IllegalStateException("benchmark note '" + id + "' is declared twice");
                }
                notes.order.add(id);
            });
        }
        return notes;
    }

    /** The citation of note {@code id}, e.g. "[3]". */
    public String ref(String id) {
        int i = order.indexOf(id);
        if (i < 0) {
            throw new IllegalStateException("benchmark note '" + id + "' is cited but no section declares it");
        }
        return "[" + (i + 1) + "]";
    }

    public void render(StringBuilder md) {
        md.append("## How each figure was measured\n\n");
        for (int i = 0; i < order.size(); i++) {
            md.append(i + 1).append(". ").append(texts.get(order.get(i))).append('\n');
        }
    }
}
