package bnscope.jobs;

import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How a grid stops when one cell fails (a killed driver's shutdown makes every running cell fail):
 * no cell starts after the failure, a running cell is interrupted and has left its work before the
 * failure reaches the caller (which then records it in the manifest), and the progress line stops
 * counting stopped cells as running.
 */
class GridConcurrencyTest {
    private static final List<GridCell> CELLS = List.of(
            new GridCell(Variant.STANDARD, 0.1, 1), new GridCell(Variant.BATCHNORM, 0.1, 1),
            new GridCell(Variant.STANDARD, 0.1, 2), new GridCell(Variant.BATCHNORM, 0.1, 2));

    @Test
    void aFailureStopsTheGridBeforeItIsReported() throws Exception {
        Set<String> started = ConcurrentHashMap.newKeySet();
        Set<String> left = ConcurrentHashMap.newKeySet();
        CountDownLatch bothRunning = new CountDownLatch(2);
        long t0 = System.nanoTime();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> GridTrainer.runConcurrently(CELLS, 2, cell -> {
            started.add(cell.id());
            bothRunning.countDown();
            try {
                assertTrue(bothRunning.await(10, TimeUnit.SECONDS));
                if (cell.equals(CELLS.get(1))) {
                    throw new IllegalStateException("cell " + cell.id() + " failed");
                }
                Thread.sleep(30_000); // the first cell: a long step, interrupted by the failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                left.add(cell.id());
            }
        }));
        assertEquals("cell batchnorm-lr0.1-seed1 failed", thrown.getMessage());
        assertEquals(Set.of(CELLS.get(0).id(), CELLS.get(1).id()), started, "no cell may start after the failure");
        assertEquals(started, left, "the running cell must have stopped before the failure is reported");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(25),
                "the failure of the second cell is reported without waiting for the first to finish its 30 s");
    }

    @Test
    void everyCellRunsWhenNoneFails() {
        Set<String> ran = ConcurrentHashMap.newKeySet();
        GridTrainer.runConcurrently(CELLS, 2, cell -> ran.add(cell.id()));
        assertEquals(4, ran.size());
    }

    @Test
    void aStoppedCellNoLongerCountsAsRunning() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GridProgress progress = new GridProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4, 100);
        progress.started(CELLS.get(0), 0);
        progress.started(CELLS.get(1), 0);
        progress.advanced(CELLS.get(1), 40);
        progress.stopped(CELLS.get(1));
        assertTrue(progress.line().startsWith("grid: 0/4 cells done, 1 running, 3 left; steps 40/400"), progress.line());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("(stopped batchnorm-lr0.1-seed1 at step 40)"), bytes.toString());
    }
}
