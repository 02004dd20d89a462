package bnscope.bench.report;

import static bnscope.bench.report.BenchmarkFigures.fmt;

/** The machine and the run: date, commit, CPU, load, Java, wall time; and the oversubscription caveat. */
public final class MachineSection implements BenchmarkSection {

    @Override
    public void render(BenchmarkFigures f, Footnotes notes, StringBuilder md) {
        md.append("## Machine and run\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date (UTC) | ").append(f.text("machine.date")).append(" |\n");
        md.append("| git commit | `").append(f.text("machine.commit")).append('`')
                .append(f.is("machine.dirty", "yes") ? " (with uncommitted changes)" : "").append(" |\n");
        md.append("| CPU | ").append(f.text("machine.cpu")).append(", nproc = ").append(f.text("machine.nproc")).append(" |\n");
        md.append("| load average (1, 5, 15 min) | at start ").append(f.text("machine.load_start")).append("; at end ")
                .append(f.text("machine.load_end")).append(" |\n");
        md.append("| Java | ").append(f.text("machine.java")).append(" |\n");
        md.append("| benchmark wall time | ").append(fmt(f.num("machine.seconds") / 60, "%.1f")).append(" min |\n\n");
        md.append("A load average above nproc means other processes were competing for the cores during the run; ")
                .append("absolute times then rise, and ratios stay comparable only because both sides ran under similar load.\n\n");
    }
}
