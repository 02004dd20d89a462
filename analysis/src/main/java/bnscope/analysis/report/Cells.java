package bnscope.analysis.report;

import bnscope.analysis.TextTable;

import java.util.Locale;

/** How the report's tables print numbers: one format per kind, so equal values read the same everywhere. */
final class Cells {
    /** Shown for a value that does not exist (no rows). */
    static final String NONE = "—";

    private Cells() {
    }

    /** A fraction as a percentage with one decimal ("83.0%"); "n/a" for NaN. */
    static String pct(Double v) {
        if (v == null) {
            return NONE;
        }
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** A measured value, up to 6 significant digits (as the console tables print it). */
    static String num(Double v) {
        return v == null ? NONE : TextTable.format(v);
    }

    static String num(double v) {
        return TextTable.format(v);
    }
}
