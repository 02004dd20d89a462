package bnscope.core.surface;

import bnscope.core.BadInputException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The points of one loss surface: a {@code columns × rows} grid over [−span, span]² in the plane of
 * two filter-normalized directions (Li et al. 2018 plot [−1, 1]²), and the {@code linePoints} of the
 * 1-D interpolation θ(t) = θ₀ + t (θ_N − θ₀), t ∈ [0, 1], from the initial weights to the checkpoint
 * (Goodfellow et al. 2015); no line when {@code linePoints} is 0.
 */
public record SurfaceGrid(int columns, int rows, double span, int linePoints) implements Serializable {
    /** Largest side accepted: a 201 × 201 grid is already 40,401 evaluations of the sample. */
    public static final int MAX_SIDE = 201;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,4})x(\\d{1,4})");

    public SurfaceGrid {
        if (columns < 2 || rows < 2 || columns > MAX_SIDE || rows > MAX_SIDE) {
            throw new BadInputException("--grid must be COLUMNSxROWS with each side in 2.." + MAX_SIDE + " (got "
                    + columns + "x" + rows + "); an odd side puts a point at the checkpoint itself, e.g. --grid 31x31.");
        }
        if (!(span > 0) || Double.isInfinite(span)) {
            throw new BadInputException("--span must be a positive number (got " + span + "); the plane covers "
                    + "[-span, span]² in units of the filter-normalized directions (Li et al. use 1).");
        }
        if (linePoints < 0 || linePoints == 1 || linePoints > MAX_SIDE) {
            throw new BadInputException("--line-points must be 0 (no interpolation) or in 2.." + MAX_SIDE + " (got "
                    + linePoints + ").");
        }
    }

    /** Parses {@code --grid} ("31x31"). */
    public static SurfaceGrid parse(String size, double span, int linePoints) {
        Matcher m = SIZE.matcher(size == null ? "" : size.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new BadInputException("--grid '" + size + "' is not COLUMNSxROWS, e.g. 31x31 (each side 2.." + MAX_SIDE + ").");
        }
        return new SurfaceGrid(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), span, linePoints);
    }

    /** Coordinate {@code index} of {@code count} evenly spaced values over [−span, span]; the middle of an odd count is exactly 0. */
    public double coordinate(int index, int count) {
        return -span + 2 * span * index / (count - 1);
    }

    /** t of line point {@code index}: evenly spaced over [0, 1]. */
    public double lineT(int index) {
        return (double) index / (linePoints - 1);
    }

    /** Every point: the plane row by row, then the line. */
    public List<SurfacePoint> points() {
        List<SurfacePoint> points = new ArrayList<>(columns * rows + linePoints);
        for (int j = 0; j < rows; j++) {
            for (int i = 0; i < columns; i++) {
                points.add(new SurfacePoint(SurfacePoint.PLANE, i, j, coordinate(i, columns), coordinate(j, rows)));
            }
        }
        for (int i = 0; i < linePoints; i++) {
            points.add(new SurfacePoint(SurfacePoint.LINE, i, 0, lineT(i), 0));
        }
        return points;
    }

    public int pointCount() {
        return columns * rows + linePoints;
    }

    @Override
    public String toString() {
        return columns + "x" + rows;
    }
}
