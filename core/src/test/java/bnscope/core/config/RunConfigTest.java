package bnscope.core.config;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RunConfigTest {

    @TempDir
    Path dir;

    private File conf(String text) throws Exception {
        Path p = dir.resolve("test.conf");
        Files.writeString(p, text);
        return p.toFile();
    }

    @Test
    void fileValuesOverrideDefaultsAndSetOverridesFile() throws Exception {
        RunConfig c = RunConfig.load(conf("train { steps = 50, learning_rate = 0.5 }\nspark.averaging_frequency = 5\n"),
                List.of("train.steps=100", "train.variants=[batchnorm, standard]", "run.name=abc"));
        assertEquals(100, c.getInt("train.steps"));
        assertEquals(0.5, c.getDouble("train.learning_rate"));
        assertEquals(List.of("batchnorm", "standard"), c.getList("train.variants"));
        assertEquals("abc", c.getString("run.name"));
        assertEquals(128, c.getInt("train.batch_size"));
    }

    @Test
    void unknownKeyInFileIsNamedWithSuggestion() throws Exception {
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.load(conf("train.learning_rte = 0.1\n"), List.of()));
        assertTrue(e.getMessage().contains("train.learning_rte"), e.getMessage());
        assertTrue(e.getMessage().contains("train.learning_rate"), e.getMessage());
    }

    @Test
    void unknownKeyInOverrideIsRejected() {
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.load(null, List.of("nope.key=1")));
        assertTrue(e.getMessage().contains("nope.key"));
    }

    @Test
    void wrongTypeNamesKeyAndExpectedType() {
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.load(null, List.of("train.steps=lots")));
        assertTrue(e.getMessage().contains("train.steps") && e.getMessage().contains("int"), e.getMessage());
    }

    @Test
    void valueOutsideRuleIsRejected() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.load(null, List.of("train.learning_rate=-1")));
        assertTrue(e.getMessage().contains("train.learning_rate") && e.getMessage().contains("> 0"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> RunConfig.load(null, List.of("train.variants=[batchnorm, resnet]")));
        assertTrue(e.getMessage().contains("resnet"), e.getMessage());
    }

    @Test
    void crossKeyRulesAreChecked() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.load(null, List.of("train.batch_size=127")));
        assertTrue(e.getMessage().contains("spark.workers"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> RunConfig.load(null, List.of("train.steps=241")));
        assertTrue(e.getMessage().contains("averaging_frequency"), e.getMessage());
    }

    @Test
    void badSyntaxAndMissingFileAreClear() throws Exception {
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.load(conf("train { steps = \n"), List.of()));
        assertTrue(e.getMessage().contains("test.conf"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> RunConfig.load(new File(dir.toFile(), "missing.conf"), List.of()));
        assertTrue(e.getMessage().contains("missing.conf"), e.getMessage());
    }

    @Test
    void withRevalidates() {
        RunConfig c = RunConfig.defaults().with(Map.of("train.steps", 10));
        assertEquals(10, c.getInt("train.steps"));
        assertThrows(BadInputException.class, () -> RunConfig.defaults().with(Map.of("train.steps", 11)));
    }

    @Test
    void shippedConfigFilesAreValid() {
        Path confDir = Path.of(System.getProperty("bnscope.repo.root"), "conf");
        for (String name : List.of("default.conf", "paper-vgg.conf", "paper-dln.conf")) {
            RunConfig c = RunConfig.load(confDir.resolve(name).toFile(), List.of());
            assertNotNull(c.getString("run.name"), name);
        }
    }
}
