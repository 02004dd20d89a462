package bnscope.analysis.report;

import java.util.List;

/** A {@link ReportSection} whose heading, anchor and settings are fixed: subclasses pass them up and write {@code render}. */
public abstract class HeadedSection implements ReportSection {
    private final String title;
    private final String id;
    private final List<String> settings;

    protected HeadedSection(String title, String id, List<String> settings) {
        this.title = title;
        this.id = id;
        this.settings = List.copyOf(settings);
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final List<String> settings() {
        return settings;
    }
}
