package bnscope.analysis;

/** Placeholder until the report is written. */
public final class ReportJob {
    static String write(RunDirectory run, AnalyzeOptions options) {
        throw new UnsupportedOperationException();
    }
}
