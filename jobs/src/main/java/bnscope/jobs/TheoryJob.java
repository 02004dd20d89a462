package bnscope.jobs;

import java.io.PrintStream;

final class TheoryJob {
    static int run(String run, String master, PrintStream out) {
        return 0;
    }
}
