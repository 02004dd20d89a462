package bnscope.jobs;

import java.io.PrintStream;
import java.util.List;

final class AnalysisCommands {
    static void analyze(List<String> runs, String master, PrintStream out) {
    }

    static String report(String run, String master, PrintStream out) {
        return "";
    }

    static int sql(CommandLine cl, PrintStream out) {
        return 0;
    }

    static int compare(String a, String b, double tol, String master, PrintStream out) {
        return 0;
    }
}
