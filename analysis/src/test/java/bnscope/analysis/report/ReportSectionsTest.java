package bnscope.analysis.report;

import bnscope.core.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ReportSectionsTest {
    @Test
    void everySettingASectionNamesIsAConfigKey() {
        for (ReportSection s : ReportSections.all()) {
            for (String key : s.settings()) {
                assertNotNull(ConfigKeys.byName(key), s.getClass().getSimpleName() + " names '" + key + "', which is no config key");
            }
        }
        assertNotNull(ConfigKeys.byName(RunInfo.LEARNING_RATE));
    }

    @Test
    void sectionAnchorsAreUniqueAndTheClaimsThenTheConfigComeFirst() {
        Set<String> ids = new HashSet<>();
        ReportSections.all().forEach(s -> assertTrue(ids.add(s.id()), "anchor " + s.id() + " used twice"));
        // issue 11: the report opens with the claims table
        assertEquals("claims", ReportSections.all().get(0).id());
        assertEquals(RunConfigSection.ID, ReportSections.all().get(1).id());
    }

    @Test
    void paperReadOffSentencesCarryTheReadOffNumbers() {
        assertEquals("lr 0.1: noisy-batchnorm ~69/77/88/98%, batchnorm ~72/83/94/99% training accuracy at 0.5k/1k/2k/5k steps",
                PaperReference.readOffSummary("Fig. 2"));
        assertEquals("test accuracy batchnorm 83%, standard 80%", PaperReference.testAccuracySummary());
        assertEquals(List.of("standard", "batchnorm"), List.copyOf(PaperReference.readOffs("Fig. 1").get(0).accuracy().keySet()),
                "read-offs keep the paper's order (Map.of would not)");
    }
}
