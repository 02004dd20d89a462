package bnscope.bench;

import bnscope.bench.report.BenchmarkFigures;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BENCHMARKS.md from a constructed set of figures: ratios of the same run, gaps as n/a, notes numbered once. */
class BenchmarkReportTest {

    private static String render(Map<String, String> figures) {
        return BenchmarkReport.render(new BenchmarkFigures(figures));
    }

    @Test
    void ratiosDivideFiguresOfTheSameRunAndMissingOnesReadNa() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("machine.nproc", "2");
        f.put("torch_t1.nobn.median_ms", "100");
        f.put("jvm_t1.fast.standard.median_ms", "150");
        f.put("torch_t1.bn.median_ms", "200");
        f.put("jvm_t1.fast.batchnorm.median_ms", "220");
        String md = render(f);
        // standard: 150 / 100 misses the 1.0 target; batchnorm: 220 / 200 = 1.10 meets 1.15; noisy has no figure
        assertTrue(md.contains("| **bnscope ÷ libtorch**, alone, 1 thread | 1.50× (**misses**) | 1.10× (meets) | n/a | ≤ 1.0 / 1.15 / 1.3 |"), md);
        assertTrue(md.contains("| benchmark wall time | n/a min |"), md);
    }

    @Test
    void everyCitedNoteIsListedOnceInOrder() {
        String md = render(Map.of("machine.nproc", "2", "analysis.class", "bnscope.bench.IcsVectorBenchmark"));
        String body = md.substring(0, md.indexOf("## How each figure was measured"));
        String notes = md.substring(md.indexOf("## How each figure was measured"));
        Set<Integer> cited = new TreeSet<>();
        Matcher m = Pattern.compile("\\[(\\d+)]").matcher(body);
        while (m.find()) {
            cited.add(Integer.parseInt(m.group(1)));
        }
        int listed = (int) notes.lines().filter(l -> l.matches("\\d+\\. .*")).count();
        assertEquals(listed, cited.size(), "every note is cited and every citation has a note");
        for (int i = 1; i <= listed; i++) {
            assertTrue(notes.contains("\n" + i + ". **"), "note " + i + " missing:\n" + notes);
        }
    }

    @Test
    void failedStagesAreListedInTheRunsOrder() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("failed.step_t1", "exit 1");
        f.put("failed.analysis", "exit 3");
        String md = render(f);
        assertTrue(md.contains("## Stages that failed in this run\n\n- `step_t1`: exit 1\n- `analysis`: exit 3\n"), md);
        assertTrue(md.contains("ics_metrics throughput ratio") && md.contains("**not measured**"), md);
    }
}
