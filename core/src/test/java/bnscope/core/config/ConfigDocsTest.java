package bnscope.core.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ConfigDocsTest {

    @Test
    void docsConfigMdMatchesTheKeysInCode() throws Exception {
        Path doc = Path.of(System.getProperty("bnscope.repo.root"), "docs", "config.md");
        assertTrue(Files.exists(doc), "docs/config.md is missing: run ./submit.sh docs");
        assertEquals(ConfigDocs.markdown(), Files.readString(doc),
                "docs/config.md is stale: run ./submit.sh docs to regenerate it from ConfigKeys");
    }

    // Issue 9 pt 8: this test only checked that each default exists, not that it passes its rule.
    @Test
    void everyDefaultPassesItsOwnRule() {
        List<String> problems = ConfigKeys.ALL.stream().map(ConfigKey::defaultProblem).flatMap(Optional::stream).toList();
        assertEquals(List.of(), problems);
        RunConfig defaults = RunConfig.defaults();
        for (ConfigKey k : ConfigKeys.ALL) {
            assertEquals(k.defaultValue(), defaults.asMap().get(k.name()), k.name());
            // the docs' rendering of the default reads back as the default itself
            assertEquals(k.defaultValue(), RunConfig.load(null, List.of(k.name() + "=" + k.defaultAsText())).asMap().get(k.name()),
                    k.name());
        }
    }

    @Test
    void aDefaultOutsideItsRuleOrOfAnotherTypeIsReported() {
        ConfigKey negative = new ConfigKey("train.x", ConfigKey.Type.INT, -1, "doc", "> 0", v -> ((Number) v).doubleValue() > 0);
        assertEquals(Optional.of("train.x: default -1 fails its rule \"> 0\""), negative.defaultProblem());
        ConfigKey longForInt = new ConfigKey("train.x", ConfigKey.Type.INT, 5L, "doc", "> 0", v -> ((Number) v).doubleValue() > 0);
        assertEquals(Optional.of("train.x: default element 5 is a Long, but the type is int"), longForInt.defaultProblem());
        ConfigKey badElement = new ConfigKey("train.x", ConfigKey.Type.LONG_LIST, List.of(0L, -3L), "doc", ">= 0",
                v -> ((Number) v).doubleValue() >= 0);
        assertEquals(Optional.of("train.x: default [0, -3] fails its rule \">= 0\""), badElement.defaultProblem());
        ConfigKey notAList = new ConfigKey("train.x", ConfigKey.Type.INT_LIST, 1, "doc", "", null);
        assertTrue(notAList.defaultProblem().isPresent());
    }
}
