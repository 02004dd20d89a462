package bnscope.core.config;

import bnscope.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    void withRevalidatesAndNamesItsOrigin() {
        RunConfig c = RunConfig.defaults().with(Map.of("train.steps", 10), "the test's change");
        assertEquals(10, c.getInt("train.steps"));
        assertEquals("the test's change", c.origin("train.steps"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.defaults().with(Map.of("train.steps", 11), "the test's change"));
        assertTrue(e.getMessage().contains("train.steps (11, from the test's change)"), e.getMessage());
    }

    // Issue 14 fault 6: a bad value given with --set was reported as coming from the config file.
    @Test
    void badValueFromSetNamesTheSetFlagNotTheFile() throws Exception {
        File file = conf("train {\n  steps = 160\n  learning_rate = 0.1\n}\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.load(file, List.of("train.learning_rate=-0.1")));
        assertTrue(e.getMessage().startsWith("Config key 'train.learning_rate' (from --set train.learning_rate=-0.1) has value -0.1"),
                e.getMessage());
        assertFalse(e.getMessage().contains("test.conf"), e.getMessage());
    }

    @Test
    void badValueFromFileNamesFileAndLine() throws Exception {
        File file = conf("train {\n  steps = 160\n  learning_rate = -0.1\n}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.load(file, List.of("train.steps=100")));
        assertTrue(e.getMessage().contains("'train.learning_rate' (from " + file.getPath() + ", line 3) has value -0.1"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> RunConfig.load(conf("run.seed = 1\ntrain.steps = lots\n"), List.of()));
        assertTrue(e.getMessage().contains("'train.steps' (from " + file.getPath() + ", line 2) must be a int"), e.getMessage());
    }

    @Test
    void laterSetOfTheSameKeyWinsAndIsTheOneNamed() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> RunConfig.load(null, List.of("train.learning_rate=0.5", "train.learning_rate=0")));
        assertTrue(e.getMessage().contains("(from --set train.learning_rate=0) has value 0.0"), e.getMessage());
    }

    @Test
    void crossKeyErrorsNameEachKeysOrigin() throws Exception {
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.load(null, List.of("spark.workers=3")));
        assertTrue(e.getMessage().startsWith("train.batch_size (128, from the default) must be divisible by "
                + "spark.workers (3, from --set spark.workers=3)"), e.getMessage());
        File file = conf("spark {\n  averaging_frequency = 7\n}\n");
        e = assertThrows(BadInputException.class, () -> RunConfig.load(file, List.of()));
        assertTrue(e.getMessage().startsWith("train.steps (160, from the default) must be a multiple of "
                + "spark.averaging_frequency (7, from " + file.getPath() + ", line 2)"), e.getMessage());
    }

    @Test
    void originOfEveryKeyIsKnown() throws Exception {
        File file = conf("run.name = x\ntrain.steps = 50\n");
        RunConfig c = RunConfig.load(file, List.of("train.steps=100"));
        assertEquals(file.getPath() + ", line 1", c.origin("run.name"));
        assertEquals("--set train.steps=100", c.origin("train.steps"));
        assertEquals("the default", c.origin("train.learning_rate"));
    }

    /** What RunManifest writes and reads back: Jackson, no type information. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> throughJson(Map<String, Object> map) throws Exception {
        ObjectMapper json = new ObjectMapper();
        return json.readValue(json.writeValueAsString(map), LinkedHashMap.class);
    }

    @Test
    void recordedMapRoundTrips() throws Exception {
        RunConfig c = RunConfig.load(null, List.of("run.seed=9000000000", "train.learning_rate=1", "probe.ics.steps=[0, 7]",
                "probe.landscape.max=30", "model.dense=[64]", "run.name=r1", "train.variants=[l2, standard]"));
        Map<String, Object> recorded = throughJson(c.asMap());
        assertEquals(Integer.class, recorded.get("train.steps").getClass());
        assertEquals(List.of(0, 7), recorded.get("probe.ics.steps")); // ints in JSON where longs were written
        RunConfig back = RunConfig.fromRecorded(recorded, "runs/r1/manifest.json");
        assertEquals(c.asMap(), back.asMap());
        assertEquals(List.of(0L, 7L), back.getList("probe.ics.steps"));
        assertEquals(9000000000L, back.getLong("run.seed"));
        assertEquals(1.0, back.getDouble("train.learning_rate"));
        assertEquals("runs/r1/manifest.json", back.origin("train.steps"));
        assertEquals(RunSettings.from(c), RunSettings.from(back));
    }

    @Test
    void recordedMapWithoutANewerKeyTakesTheValueOldRunsUsedNotTodaysDefault() throws Exception {
        // noise.generator arrived with the splitmix stream as its default; runs recorded before it drew from nd4j
        Map<String, Object> recorded = throughJson(RunConfig.defaults().asMap());
        recorded.remove("noise.generator");
        RunConfig back = RunConfig.fromRecorded(recorded, "old/manifest.json");
        assertEquals("nd4j", back.getString("noise.generator"));
        assertTrue(back.origin("noise.generator").contains("runs from before the key existed used nd4j"), back.origin("noise.generator"));
        assertEquals("splitmix", RunConfig.defaults().getString("noise.generator"));
        // a recorded value is kept as it is
        recorded.put("noise.generator", "splitmix");
        assertEquals("splitmix", RunConfig.fromRecorded(recorded, "new/manifest.json").getString("noise.generator"));
    }

    @Test
    void recordedMapWithoutConvBackwardReadsAsTheCombinedPassOldRunsRan() throws Exception {
        // model.conv_backward arrived with the split backward pass as its default; earlier fused runs used conv2d_bp
        Map<String, Object> recorded = throughJson(RunConfig.defaults().asMap());
        recorded.remove("model.conv_backward");
        RunConfig back = RunConfig.fromRecorded(recorded, "old/manifest.json");
        assertEquals("combined", back.getString("model.conv_backward"));
        assertEquals(bnscope.core.layers.ConvBackward.COMBINED, RunSettings.from(back).model().convBackward());
        assertEquals("auto", RunConfig.defaults().getString("model.conv_backward"));
    }

    @Test
    void recordedMapMissingAKeyTakesTheDefaultAndRejectsUnknownKeys() throws Exception {
        Map<String, Object> recorded = throughJson(RunConfig.defaults().asMap());
        recorded.remove("report.layers");
        RunConfig back = RunConfig.fromRecorded(recorded, "old/manifest.json");
        assertEquals(List.of(5, 10), back.getList("report.layers"));
        assertEquals("the default", back.origin("report.layers"));
        recorded.put("train.momentum", 0.9);
        BadInputException e = assertThrows(BadInputException.class, () -> RunConfig.fromRecorded(recorded, "old/manifest.json"));
        assertTrue(e.getMessage().contains("'train.momentum' (in old/manifest.json)"), e.getMessage());
        recorded.remove("train.momentum");
        recorded.put("train.steps", -5);
        e = assertThrows(BadInputException.class, () -> RunConfig.fromRecorded(recorded, "old/manifest.json"));
        assertTrue(e.getMessage().contains("'train.steps' (from old/manifest.json) has value -5"), e.getMessage());
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
