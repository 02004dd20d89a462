package bnscope.core.probes;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ProbeSettingsTest {

    @Test
    void schedulesFireEveryNStepsAndOnListedSteps() {
        ProbeSchedule s = new ProbeSchedule(100, List.of(7L, 250L));
        assertTrue(s.due(0));
        assertTrue(s.due(7));
        assertTrue(s.due(200));
        assertTrue(s.due(250));
        assertFalse(s.due(99));
        assertFalse(ProbeSchedule.never().due(0));
        assertTrue(new ProbeSchedule(0, List.of(3L)).due(3));
        assertFalse(new ProbeSchedule(0, List.of(3L)).due(0));
    }

    @Test
    void noneRunsNothingAndDefaultsRunEverything() {
        for (long step : new long[]{0, 1, 100, 12345}) {
            assertFalse(ProbeSettings.none().anyDue(step));
        }
        ProbeSettings d = ProbeSettings.defaults();
        assertTrue(d.ics().due(0) && d.landscape().due(100) && d.activations().due(200) && d.layerNorms().due(300));
        assertEquals(List.of(0, 1, 2, 3), d.activations().units());
        assertEquals(4096, d.ics().chunkSize());
        assertFalse(d.ics().vectors());
    }

    @Test
    void landscapeGridIsGeometricWithBothEnds() {
        double[] m = ProbeSettings.Landscape.defaults().multipliers();
        assertEquals(8, m.length);
        assertEquals(0.5, m[0], 1e-15);
        assertEquals(4.0, m[7], 1e-12);
        for (int k = 1; k < 7; k++) {
            assertEquals(m[k] / m[k - 1], m[k + 1] / m[k], 1e-12);
        }
        assertArrayEquals(new double[]{2.0}, new ProbeSettings.Landscape(true, ProbeSchedule.every(1), 1, 2.0, 3.0).multipliers());
    }

    @Test
    void badValuesNameTheirKey() {
        assertMessageNames("probe.ics.every", () -> new ProbeSettings.Ics(true, new ProbeSchedule(-1, List.of()), List.of(), false, 4096));
        assertMessageNames("probe.ics.chunk_size", () -> new ProbeSettings.Ics(true, ProbeSchedule.never(), List.of(), false, 0));
        assertMessageNames("probe.ics.layers", () -> new ProbeSettings.Ics(true, ProbeSchedule.never(), List.of(0), false, 16));
        assertMessageNames("probe.landscape.points", () -> new ProbeSettings.Landscape(true, ProbeSchedule.never(), 0, 0.5, 4));
        assertMessageNames("probe.landscape.min", () -> new ProbeSettings.Landscape(true, ProbeSchedule.never(), 8, 0, 4));
        assertMessageNames("probe.landscape.max", () -> new ProbeSettings.Landscape(true, ProbeSchedule.never(), 8, 2, 1));
        assertMessageNames("probe.activations.steps", () -> new ProbeSettings.Activations(true, new ProbeSchedule(1, List.of(-5L)), List.of(), List.of(), 1));
        assertMessageNames("probe.activations.units", () -> new ProbeSettings.Activations(true, ProbeSchedule.never(), List.of(), List.of(-1), 1));
        assertMessageNames("probe.activations.sample_size", () -> new ProbeSettings.Activations(true, ProbeSchedule.never(), List.of(), List.of(), -1));
        assertMessageNames("probe.layer_norms.every", () -> new ProbeSettings.LayerNorms(true, new ProbeSchedule(-3, List.of())));
    }

    private static void assertMessageNames(String key, org.junit.jupiter.api.function.Executable bad) {
        BadInputException e = assertThrows(BadInputException.class, bad);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void settingsSurviveJavaSerialization() throws Exception {
        ProbeSettings s = ProbeSettings.defaults().withSeed(99)
                .withIcs(new ProbeSettings.Ics(true, new ProbeSchedule(50, List.of(1L, 2L)), List.of(5, 10), true, 1024));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(s, in.readObject());
        }
    }
}
