package bnscope.bench;

import bnscope.bench.report.BenchmarkFigures;
import bnscope.bench.report.BenchmarkSection;
import bnscope.bench.report.DlnStepSection;
import bnscope.bench.report.FailedStagesSection;
import bnscope.bench.report.Footnotes;
import bnscope.bench.report.GridSection;
import bnscope.bench.report.IcsThroughputSection;
import bnscope.bench.report.MachineSection;
import bnscope.bench.report.PerCoreSection;
import bnscope.bench.report.SharpnessSection;
import bnscope.bench.report.ProbeOverheadSection;
import bnscope.bench.report.SparkBreakdownSection;
import bnscope.bench.report.SqlSection;
import bnscope.bench.report.StepSpeedSection;
import bnscope.bench.report.StorageSection;
import bnscope.bench.report.SurfaceSpeedSection;
import bnscope.core.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Renders BENCHMARKS.md from one benchmark run's figures: the {@code key=value} lines that
 * scripts/benchmark.sh collected from the benchmark mains ({@link BenchmarkResults}) and from the
 * machine. Every ratio divides two figures of that same run. Targets are the project's performance
 * goals; a missed one is reported as such, never asserted. Each section is its own class in
 * {@code bnscope.bench.report}; a new benchmark adds one and registers it in {@link #SECTIONS}.
 *
 * <p>Usage: {@code BenchmarkReport RESULTS_FILE OUTPUT_MD} ({@code --help}).
 */
@Command(name = "BenchmarkReport", mixinStandardHelpOptions = true,
        description = "Renders BENCHMARKS.md from the key=value figures of one scripts/benchmark.sh run.")
public final class BenchmarkReport implements Callable<Integer> {

    /** The sections of BENCHMARKS.md, in order; their measurement notes are numbered in this order too. */
    static final List<BenchmarkSection> SECTIONS = List.of(
            new MachineSection(),
            new StepSpeedSection(),
            new PerCoreSection(),
            new GridSection(),
            new DlnStepSection(),
            new ProbeOverheadSection(),
            new SharpnessSection(),
            new StorageSection(),
            new IcsThroughputSection(),
            new SqlSection(),
            new SparkBreakdownSection(),
            new SurfaceSpeedSection(),
            new FailedStagesSection());

    @Parameters(index = "0", paramLabel = "RESULTS_FILE", description = "key=value lines of one benchmark run")
    Path resultsFile;

    @Parameters(index = "1", paramLabel = "OUTPUT_MD", description = "the Markdown file to (over)write")
    Path output;

    public static void main(String[] args) {
        BenchmarkCli.main(new BenchmarkReport(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isReadable(resultsFile)) {
            throw new BadInputException("No readable results file at " + resultsFile
                    + ": expected the key=value lines scripts/benchmark.sh collects. Run scripts/benchmark.sh, which writes it and calls this.");
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : Files.readAllLines(resultsFile, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                results.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        Files.writeString(output, render(new BenchmarkFigures(results)), StandardCharsets.UTF_8);
        return 0;
    }

    static String render(BenchmarkFigures f) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `scripts/benchmark.sh` in one run; rerun it to refresh this file (do not edit by hand). ")
                .append("Every ratio below divides two figures of this same run, because the machine is shared and noisy. ")
                .append("Figures are measurements, not test assertions; bracketed numbers point to *How each figure was measured*.\n\n");
        if (f.is("run.quick", "1")) {
            md.append("**This was a `--quick` run (few steps): the figures are rough.**\n\n");
        }
        Footnotes notes = Footnotes.of(SECTIONS, f);
        for (BenchmarkSection section : SECTIONS) {
            section.render(f, notes, md);
        }
        notes.render(md);
        return md.toString();
    }
}
