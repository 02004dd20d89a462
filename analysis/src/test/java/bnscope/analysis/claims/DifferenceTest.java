package bnscope.analysis.claims;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The shared decision rule: difference of means against two Welch standard errors; one seed decides nothing. */
class DifferenceTest {
    @Test
    void estimateIsMeanSampleSdAndN() {
        Estimate e = Estimate.of(List.of(1.0, 2.0, 4.0));
        assertEquals(7.0 / 3, e.mean(), 1e-15);
        // sample variance: ((1-7/3)² + (2-7/3)² + (4-7/3)²) / 2 = 14/6
        assertEquals(Math.sqrt(14.0 / 6), e.sd(), 1e-15);
        assertEquals(3, e.n());
        assertEquals("2.33 ± 1.53 (n = 3)", e.format());
        assertTrue(Double.isNaN(Estimate.of(List.of(5.0)).sd()));
    }

    @Test
    void beyondTwoStandardErrorsDecidesEitherWayAndWithinDoesNot() {
        Estimate a = new Estimate(1.0, 0.1, 4);
        Estimate b = new Estimate(0.8, 0.1, 4);
        Difference d = new Difference(a, b);
        assertEquals(Math.sqrt(0.01 / 4 + 0.01 / 4), d.standardError(), 1e-15);
        assertTrue(d.above());
        assertEquals(Verdict.REPRODUCED, Verdicts.higher(d));
        assertEquals(Verdict.NOT_REPRODUCED, Verdicts.higher(new Difference(b, a)));
        // 0.12 < 2 · 0.0707: within the margin
        Difference close = new Difference(new Estimate(0.92, 0.1, 4), b);
        assertEquals(Verdict.INCONCLUSIVE, Verdicts.higher(close));
        assertEquals(Verdict.REPRODUCED, Verdicts.notHigher(close));
        assertEquals(Verdict.NOT_REPRODUCED, Verdicts.notHigher(d));
    }

    @Test
    void oneSeedIsNeverDecided() {
        Difference d = new Difference(new Estimate(1.0, Double.NaN, 1), new Estimate(0.1, 0.01, 3));
        assertFalse(d.decidable());
        assertEquals(Verdict.INCONCLUSIVE, Verdicts.higher(d));
        assertEquals(Verdict.INCONCLUSIVE, Verdicts.notHigher(d));
        assertTrue(d.describe().contains("n = 1"), d.describe());
    }

    @Test
    void allPartsMustHold() {
        assertEquals(Verdict.REPRODUCED, Verdicts.all(List.of(Verdict.REPRODUCED, Verdict.REPRODUCED)));
        assertEquals(Verdict.INCONCLUSIVE, Verdicts.all(List.of(Verdict.REPRODUCED, Verdict.INCONCLUSIVE)));
        assertEquals(Verdict.NOT_REPRODUCED, Verdicts.all(List.of(Verdict.INCONCLUSIVE, Verdict.NOT_REPRODUCED)));
        assertEquals(Verdict.NOT_MEASURED, Verdicts.all(List.of()));
    }
}
