package bnscope.jobs;

import bnscope.core.grid.GridCell;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Console progress of a whole grid: cells done / running / left, steps trained, and an ETA from the
 * grid's own pace in this process (steps per second over all running cells). Printed when a cell
 * starts or ends and at most every {@link #INTERVAL} otherwise, for grids of more than one cell (a
 * grid of one has only its cell's step lines); each cell's own step lines come from
 * {@link ProgressReporter}.
 */
final class GridProgress {
    static final Duration INTERVAL = Duration.ofSeconds(30);

    private final PrintStream out;
    private final int cells;
    private final long stepsPerCell;
    private final Map<String, Long> done = new HashMap<>();
    private final Map<String, Long> startedFrom = new HashMap<>();
    private final Set<String> running = new LinkedHashSet<>();
    private final Set<String> finished = new LinkedHashSet<>();
    private final long startNanos = System.nanoTime();
    private long lastPrint = System.nanoTime();

    GridProgress(PrintStream out, int cells, long stepsPerCell) {
        this.out = out;
        this.cells = cells;
        this.stepsPerCell = stepsPerCell;
    }

    /** A cell that a previous run already finished (resume): counted done, not in the pace. */
    synchronized void alreadyDone(GridCell cell) {
        finished.add(cell.id());
        done.put(cell.id(), stepsPerCell);
        startedFrom.put(cell.id(), stepsPerCell);
    }

    synchronized void started(GridCell cell, long fromStep) {
        running.add(cell.id());
        done.put(cell.id(), fromStep);
        startedFrom.put(cell.id(), fromStep);
        print("started " + cell.id() + (fromStep > 0 ? " at step " + fromStep : ""));
    }

    synchronized void advanced(GridCell cell, long stepsDone) {
        done.put(cell.id(), stepsDone);
        if (System.nanoTime() - lastPrint >= INTERVAL.toNanos()) {
            print(null);
        }
    }

    synchronized void finished(GridCell cell) {
        running.remove(cell.id());
        finished.add(cell.id());
        done.put(cell.id(), stepsPerCell);
        print("finished " + cell.id());
    }

    /** A cell that stopped before train.steps (it failed, or the grid was stopped): no longer running. */
    synchronized void stopped(GridCell cell) {
        if (running.remove(cell.id())) {
            print("stopped " + cell.id() + " at step " + done.getOrDefault(cell.id(), 0L));
        }
    }

    private void print(String event) {
        lastPrint = System.nanoTime();
        if (cells < 2) {
            return;
        }
        out.println(line() + (event == null ? "" : "  (" + event + ")"));
        out.flush();
    }

    /** e.g. "grid: 3/12 cells done, 2 running, 7 left; steps 1200/4800; elapsed 4:10, ETA 12:30". */
    synchronized String line() {
        long total = cells * stepsPerCell;
        long sum = done.values().stream().mapToLong(Long::longValue).sum();
        long trainedHere = done.entrySet().stream().mapToLong(e -> e.getValue() - startedFrom.getOrDefault(e.getKey(), 0L)).sum();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String eta = trainedHere > 0 ? ProgressReporter.format(Duration.ofSeconds((long) ((total - sum) * seconds / trainedHere))) : "?";
        return String.format("grid: %d/%d cells done, %d running, %d left; steps %d/%d; elapsed %s, ETA %s", finished.size(), cells,
                running.size(), cells - finished.size() - running.size(), sum, total,
                ProgressReporter.format(Duration.ofSeconds((long) seconds)), eta);
    }
}
