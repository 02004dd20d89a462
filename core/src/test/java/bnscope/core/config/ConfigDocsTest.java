package bnscope.core.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ConfigDocsTest {

    @Test
    void docsConfigMdMatchesTheKeysInCode() throws Exception {
        Path doc = Path.of(System.getProperty("bnscope.repo.root"), "docs", "config.md");
        assertTrue(Files.exists(doc), "docs/config.md is missing: run ./submit.sh docs");
        assertEquals(ConfigDocs.markdown(), Files.readString(doc),
                "docs/config.md is stale: run ./submit.sh docs to regenerate it from ConfigKeys");
    }

    @Test
    void everyDefaultPassesItsOwnRule() {
        RunConfig defaults = RunConfig.defaults();
        for (ConfigKey k : ConfigKeys.ALL) {
            assertNotNull(defaults.asMap().get(k.name()), k.name());
        }
    }
}
