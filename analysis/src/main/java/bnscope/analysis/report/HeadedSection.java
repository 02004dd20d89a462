package bnscope.analysis.report;

import bnscope.core.tables.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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

    /**
     * {@code table} of the run, or null when the run has none: then {@code absentNote} stands in the figure column and
     * the column is closed, so a section draws its figures only from a table that exists.
     */
    protected static Dataset<Row> figureTable(ReportContext ctx, SectionBuilder out, TableSchema table, String absentNote) {
        if (!ctx.has(table)) {
            out.absent(absentNote);
            out.side();
            return null;
        }
        return ctx.read(table);
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
