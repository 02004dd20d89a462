package bnscope.core.surface;

import bnscope.core.BadInputException;

import java.util.Locale;

/**
 * What a surface will cost before it is computed: every point is one evaluation-mode pass over the
 * training sample, so the time is about points × (time of one point, measured on the checkpoint) ÷
 * cores. A surface over the budget is refused with its cost and how to bring it down.
 */
public final class SurfaceCost {
    private SurfaceCost() {
    }

    /** Estimated wall time in seconds of {@code points} evaluations spread over {@code cores}. */
    public static double estimateSeconds(int points, double secondsPerPoint, int cores) {
        return Math.ceil((double) points / Math.max(1, cores)) * secondsPerPoint;
    }

    /** Throws {@link BadInputException} when the estimate exceeds {@code maxMinutes}. */
    public static void check(SurfaceGrid grid, int sample, double secondsPerPoint, int cores, double maxMinutes) {
        double seconds = estimateSeconds(grid.pointCount(), secondsPerPoint, cores);
        if (seconds > maxMinutes * 60) {
            long forwardPasses = (long) grid.pointCount() * sample;
            int side = Math.max(2, (int) Math.floor(Math.sqrt(Math.max(0, maxMinutes * 60 / secondsPerPoint * cores - grid.linePoints()))));
            throw new BadInputException(String.format(Locale.ROOT, "A %s grid (+ %d line points) on a %d-example sample is %d "
                            + "points, %,d example forward passes: about %s on %d core(s) at the %.2f s per point measured on the "
                            + "checkpoint, more than --max-minutes %s. Use a smaller --grid (about %dx%d fits), a smaller --sample, "
                            + "more cores, or raise --max-minutes.",
                    grid, grid.linePoints(), sample, grid.pointCount(), forwardPasses, duration(seconds), cores, secondsPerPoint,
                    trim(maxMinutes), side, side));
        }
    }

    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 2 * 3600) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
