package bnscope.core.run;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** What --resume may change in the recorded config. */
class ResumePolicyTest {
    private static Map<String, Object> config(Object lr, Object steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train.learning_rate", lr);
        m.put("train.steps", steps);
        m.put("data.dir", "data/a");
        m.put("spark.workers", 2);
        return m;
    }

    @Test
    void aChangedLearningRateIsRefusedWithBothValues() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ResumePolicy.check("runs/x/manifest.json", config(0.1, 5), config(0.3, 10)));
        assertTrue(e.getMessage().contains("train.learning_rate was 0.1, now 0.3"), e.getMessage());
        assertFalse(e.getMessage().contains("train.steps was"), "growing steps is allowed: " + e.getMessage());
    }

    @Test
    void growingStepsAndMovedDataAreAcceptedAndReported() {
        Map<String, Object> now = config(0.1, 10);
        now.put("data.dir", "/elsewhere/a");
        Map<String, Manifest.Change> changes = ResumePolicy.check("m", config(0.1, 5), now);
        assertEquals(new Manifest.Change(5, 10), changes.get("train.steps"));
        assertEquals(new Manifest.Change("data/a", "/elsewhere/a"), changes.get("data.dir"));
    }

    @Test
    void shrinkingStepsOrChangingWorkersIsRefused() {
        assertThrows(BadInputException.class, () -> ResumePolicy.check("m", config(0.1, 10), config(0.1, 5)));
        Map<String, Object> now = config(0.1, 5);
        now.put("spark.workers", 4);
        BadInputException e = assertThrows(BadInputException.class, () -> ResumePolicy.check("m", config(0.1, 5), now));
        assertTrue(e.getMessage().contains("spark.workers was 2, now 4"), e.getMessage());
    }

    @Test
    void keysAnOlderManifestDidNotRecordAreNotCompared() {
        Map<String, Object> now = config(0.1, 5);
        now.put("probe.ics.vectors", true);
        assertTrue(ResumePolicy.check("m", config(0.1, 5), now).isEmpty());
    }

    @Test
    void aKeyOlderRunsHadAnotherValueForIsComparedWithThatValue() {
        // runs recorded before noise.generator existed drew from nd4j; today's default is splitmix
        Map<String, Object> now = config(0.1, 5);
        now.put("noise.generator", "splitmix");
        BadInputException e = assertThrows(BadInputException.class, () -> ResumePolicy.check("m", config(0.1, 5), now));
        assertTrue(e.getMessage().contains("noise.generator was nd4j, now splitmix"), e.getMessage());
        now.put("noise.generator", "nd4j");
        assertTrue(ResumePolicy.check("m", config(0.1, 5), now).isEmpty());
    }
}
