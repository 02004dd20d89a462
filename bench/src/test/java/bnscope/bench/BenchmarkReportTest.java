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

    @Test
    void theGridSectionDividesCellThroughputByTheLibtorchPairOfTheSameRun() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grid.cells", "6");
        f.put("grid.steps", "60");
        f.put("grid.parallel", "2");
        f.put("grid.sequential_seconds", "370");
        f.put("grid.grid_seconds", "200");
        f.put("grid.speedup", "1.85");
        f.put("grid.overhead_ms_per_cell", "1234");
        f.put("grid.standard.cell_images_per_s", "400");
        f.put("grid.batchnorm.cell_images_per_s", "200");
        f.put("torch_pair_a.nobn.median_ms", "300");
        f.put("torch_pair_b.nobn.median_ms", "300");
        f.put("torch_pair_a.bn.median_ms", "400");
        f.put("torch_pair_b.bn.median_ms", "600");
        String md = render(f);
        assertTrue(md.contains("| **grid speed-up** (single runs ÷ grid) | 1.85× (meets) | ≥ 1.7× |"), md);
        assertTrue(md.contains("| grid overhead per cell (wall time outside its training tasks), ms | 1234 | |"), md);
        // standard: 400 / (128 / 0.3 s = 426.7) = 0.94 meets 0.8; batchnorm: 200 / (128 / 0.5 s = 256) = 0.78 misses; noisy: no figure
        assertTrue(md.contains("| **cell throughput ÷ libtorch** | 0.94× (meets) | 0.78× (**misses**) | n/a | ≥ 0.8 |"), md);
    }

    @Test
    void theDlnSectionDividesEachImplementationsBatchNormStepByItsOwnStandardStep() {
        Map<String, String> f = new LinkedHashMap<>();
        for (String v : new String[]{"standard", "batchnorm", "l1", "l2", "linf"}) {
            f.put("dln.fused." + v + ".median_ms", v.equals("batchnorm") ? "9" : "5");
            f.put("dln.dl4j." + v + ".median_ms", v.equals("batchnorm") ? "30" : "5");
            f.put("dln.fused." + v + ".min_ms", "4");
            f.put("dln.fused." + v + ".max_ms", "12");
            f.put("dln.dl4j." + v + ".min_ms", "4");
            f.put("dln.dl4j." + v + ".max_ms", "40");
        }
        f.put("dln.fused.batchnorm.over_standard", "1.8");
        f.put("dln.dl4j.batchnorm.over_standard", "6");
        String md = render(f);
        assertTrue(md.contains("| `fused` | 5.00 (4.00–12.0) | 9.00 (4.00–12.0) |"), md);
        assertTrue(md.contains(" | 1.80× (meets) |\n| `dl4j` |"), md);
        assertTrue(md.contains(" | 6.00× (**misses**) |\n"), md);
        assertTrue(render(Map.of("machine.nproc", "2")).contains("## 1d. Deep linear network: ms per full-batch step, 1 thread [")
                && render(Map.of()).contains("**not measured**: the DlnStepBenchmark stage"), "a missing stage is said, not hidden");
    }

    @Test
    void theLoadCautionIgnoresTheBenchmarksOwnThreadsAtTheEnd() {
        String quiet = render(Map.of("machine.nproc", "2", "machine.load_start", "1.10 2.06 3.50", "machine.load_end", "2.07 2.08 2.31"));
        assertTrue(!quiet.contains("oversubscribed"), "a load of 2.07 at the end is the benchmark's own two threads");
        String busy = render(Map.of("machine.nproc", "2", "machine.load_start", "1.10 2.06 3.50", "machine.load_end", "3.20 2.90 2.50"));
        assertTrue(busy.contains("**Caution: the machine was oversubscribed during this run**"), busy);
        assertTrue(render(Map.of("machine.nproc", "2", "machine.load_start", "2.50 2.00 1.00", "machine.load_end", "2.0 2.0 2.0"))
                .contains("oversubscribed"), "a load above nproc before the benchmark starts is someone else's");
    }
}
