package bnscope.core.surface;

import java.io.Serializable;

/**
 * One point where the surface job evaluates the loss: on the plane, θ = θ_N + alpha·x + beta·y (x, y
 * the filter-normalized directions, (i, j) the grid cell); on the line, θ = θ₀ + alpha·(θ_N − θ₀)
 * (i the index along it, beta 0).
 */
public record SurfacePoint(String kind, int i, int j, double alpha, double beta) implements Serializable {
    public static final String PLANE = "plane";
    public static final String LINE = "line";

    public boolean onLine() {
        return LINE.equals(kind);
    }
}
