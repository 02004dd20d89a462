package bnscope.core.surface;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The grid's points and the cost check that refuses a surface too large for its sample. */
class SurfaceGridTest {

    @Test
    void anOddGridHasThePointAtTheCheckpointExactlyAndTheLineEndsAtIt() {
        SurfaceGrid g = SurfaceGrid.parse("31x31", 1.0, 21);
        List<SurfacePoint> points = g.points();
        assertEquals(31 * 31 + 21, points.size());
        assertEquals(points.size(), g.pointCount());
        SurfacePoint centre = points.get(15 * 31 + 15);
        assertEquals(new SurfacePoint(SurfacePoint.PLANE, 15, 15, 0.0, 0.0), centre);
        assertEquals(-1.0, points.get(0).alpha());
        assertEquals(1.0, points.get(31 * 31 - 1).beta());
        SurfacePoint last = points.get(points.size() - 1);
        assertTrue(last.onLine());
        assertEquals(1.0, last.alpha(), "t = 1 is the checkpoint");
        assertEquals(0.0, points.get(31 * 31).alpha(), "t = 0 the initial weights");
        assertEquals(points.size(), points.stream().map(p -> p.kind() + p.i() + "," + p.j()).distinct().count());
        assertEquals(0.5, SurfaceGrid.parse("5x3", 0.5, 0).coordinate(2, 3), "the last row is at +span");
    }

    @Test
    void badGridsAreRefusedWithTheRange() {
        assertTrue(assertThrows(BadInputException.class, () -> SurfaceGrid.parse("31", 1, 0)).getMessage().contains("COLUMNSxROWS"));
        assertTrue(assertThrows(BadInputException.class, () -> SurfaceGrid.parse("1x5", 1, 0)).getMessage().contains("2..201"));
        assertTrue(assertThrows(BadInputException.class, () -> SurfaceGrid.parse("5x5", 0, 0)).getMessage().contains("--span"));
        assertTrue(assertThrows(BadInputException.class, () -> SurfaceGrid.parse("5x5", 1, 1)).getMessage().contains("--line-points"));
    }

    @Test
    void aSurfaceOverTheBudgetSaysWhatItWouldCostAndWhatFits() {
        SurfaceGrid g = SurfaceGrid.parse("101x101", 1.0, 21);
        // 10,222 points at 0.5 s each on 2 cores: 5,111 rounds, 2,556 s = 43 min
        assertEquals(2555.5, SurfaceCost.estimateSeconds(g.pointCount(), 0.5, 2), 1e-9);
        BadInputException e = assertThrows(BadInputException.class, () -> SurfaceCost.check(g, 512, 0.5, 2, 10));
        String m = e.getMessage();
        assertTrue(m.contains("10222 points") && m.contains("5,233,664 example forward passes"), m);
        assertTrue(m.contains("about 43 min on 2 core(s)") && m.contains("--max-minutes 10"), m);
        assertTrue(m.contains("about 48x48 fits"), m); // 10 min = 600 s at 0.25 s per point per 2 cores: 2,400 points - 21 on the line
        assertDoesNotThrow(() -> SurfaceCost.check(g, 512, 0.5, 2, 43));
    }
}
