package bnscope.analysis.report;

import java.util.List;

/**
 * One section of the report: a heading and what follows it (paragraphs, figures, side tables with
 * this run's numbers beside the paper's). A section reads only the shared {@link ReportContext};
 * it keeps no state between reports. To add one: a class implementing this (usually extending
 * {@link HeadedSection}) and one line in {@link ReportSections#all()}.
 */
public interface ReportSection {
    /** The heading. */
    String title();

    /** The heading's anchor (unique in the report). */
    String id();

    /** The config keys (exact names, as in docs/config.md) whose values this section depends on. */
    default List<String> settings() {
        return List.of();
    }

    /** False for an optional section with nothing to show for this run: it is left out, heading and all. */
    default boolean appliesTo(ReportContext context) {
        return true;
    }

    /** Writes the section below its heading; figures go in through {@link SectionBuilder#figure}. */
    void render(ReportContext context, SectionBuilder out);
}
