package bnscope.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark mains' command lines (picocli through {@link BenchmarkCli}): --help, usage errors and
 * bad input exit as the project's entry points do, and StorageBenchmark counts a real synthetic run's
 * stored values exactly.
 */
class BenchmarkCliTest {

    /** Exit status, stdout and stderr of one command. */
    private record Outcome(int status, String out, String err) {
        Map<String, String> results() {
            return out.lines().filter(l -> l.startsWith("RESULT ")).map(l -> l.substring("RESULT ".length()).split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        }
    }

    private static Outcome run(Object command, String... args) {
        // the benchmarks print their RESULT lines on System.out; redirected before picocli is set up, as
        // picocli 4.7.7 writes help to the System.out of when the command line was built otherwise
        PrintStream before = System.out;
        ByteArrayOutputStream results = new ByteArrayOutputStream();
        System.setOut(new PrintStream(results, true, StandardCharsets.UTF_8));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status;
        try {
            CommandLine cl = BenchmarkCli.commandLine(command);
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            status = cl.execute(args);
        } finally {
            System.setOut(before);
        }
        return new Outcome(status, out + results.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void helpListsTheTypedOptionsWithTheirDefaults() {
        Outcome o = run(new StepBenchmark(), "--help");
        assertEquals(0, o.status(), o.err());
        for (String option : new String[]{"--data=DIR", "--conf=FILE", "--batch=N", "--variants=V", "--steps=N", "--slow-steps=N", "--prefix=KEY"}) {
            assertTrue(o.out().contains(option), option + " missing from:\n" + o.out());
        }
        assertTrue(o.out().contains("default: 30"), o.out());
    }

    @Test
    void missingRequiredOptionIsAUsageErrorWithStatus2() {
        Outcome o = run(new StepBenchmark(), "--steps", "3");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("Missing required option: '--data=DIR'"), o.err());
    }

    @Test
    void malformedAndOutOfRangeNumbersAreUsageErrors() {
        Outcome text = run(new ProbeCostBenchmark(), "--data", "x", "--rounds", "many");
        assertEquals(2, text.status());
        assertTrue(text.err().contains("'--rounds'") && text.err().contains("many"), text.err());
        Outcome zero = run(new StepBenchmark(), "--data", "x", "--steps", "0");
        assertEquals(2, zero.status());
        assertTrue(zero.err().contains("Invalid value for option '--steps': 0 (expected at least 1)"), zero.err());
    }

    @Test
    void unknownOptionAndUnknownVariantAreUsageErrors() {
        Outcome unknown = run(new StorageBenchmark(), "--run-dir", "x", "--stepz", "3");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unknown option") && unknown.err().contains("--stepz"), unknown.err());
        Outcome variant = run(new StepBenchmark(), "--data", "x", "--variants", "batchnorm,bachnorm");
        assertEquals(2, variant.status());
        assertTrue(variant.err().contains("Unknown model variant 'bachnorm'"), variant.err());
    }

    @Test
    void storageOfARunWithoutVectorsIsBadInputWithStatus2(@TempDir Path dir) {
        Outcome o = run(new StorageBenchmark(), "--run-dir", dir.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().startsWith("StorageBenchmark: no ics_vectors table at "), o.err());
        assertTrue(o.err().contains("probe.ics.vectors = true"), o.err());
        assertTrue(o.results().isEmpty(), o.out());
    }

    @Test
    void storageCountsEveryStoredValueOfASyntheticRun(@TempDir Path dir) {
        // 1 worker x 2 steps x 2 layers, 1000 values each of G and G' in chunks of 300 (4 rows per layer and step)
        long total = IcsVectorBenchmark.writeSyntheticRun(dir.toString(), 1, 2, 2, 1000, 300);
        assertEquals(8000, total);
        Outcome o = run(new StorageBenchmark(), "--run-dir", dir.toString());
        assertEquals(0, o.status(), o.err());
        Map<String, String> r = o.results();
        assertEquals("8000", r.get("storage.values"));
        assertEquals("16", r.get("storage.rows"));
        assertEquals("1", r.get("storage.files"));
        double bytesPerValue = Double.parseDouble(r.get("storage.bytes_per_value"));
        assertEquals(Double.parseDouble(r.get("storage.bytes")) / 8000, bytesPerValue, 1e-4 * bytesPerValue);
    }
}
