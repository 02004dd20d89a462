package bnscope.core.config;

import bnscope.core.BadInputException;
import bnscope.core.models.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RunSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAsTypedValues() {
        RunSettings s = RunSettings.from(RunConfig.defaults());
        assertEquals("default", s.name());
        assertEquals(42L, s.seed());
        assertEquals(new DataSettings("data/cifar10-mini", "", 0), s.data());
        assertEquals(ModelSettings.Kind.VGG, s.model().kind());
        assertEquals(ModelSettings.Preset.VGG_MINI, s.model().preset());
        assertEquals(new NoiseSettings(0.5, 1.25, 0.1, 0.1, bnscope.core.layers.NoiseGenerator.SPLITMIX), s.model().noise());
        assertEquals(new DlnSettings(25, 10, 1000), s.model().dln());
        assertEquals(new TrainSettings(List.of(Variant.STANDARD, Variant.BATCHNORM, Variant.NOISY_BATCHNORM), 160, 128, 0.1,
                40, 80, List.of(), List.of(), 0), s.train());
        assertEquals(new SparkSettings(2, 5), s.spark());
        assertEquals(new AnalysisSettings(20, List.of(5, 10)), s.analysis());
        assertEquals(ProbeConfig.settings(RunConfig.defaults()), s.probes());
    }

    @Test
    void everySectionIsReadFromItsOwnKeys() throws Exception {
        Path file = dir.resolve("dln.conf");
        Files.writeString(file, """
                run { name = d1, seed = 7, output_dir = out, dir = "out/here", overwrite = true }
                data { dir = /data/c10, cache_dir = /tmp/c, test_examples = 100 }
                model { kind = dln, preset = vgg16, conv_stack = "8,M", dense = [32, 16], conv_backward = combined }
                dln { depth = 4, width = 6, samples = 60 }
                noise { n_mu = 0.25, n_sigma = 2.0, r_mu = 0.05, r_sigma = 0.2, generator = nd4j }
                train { variants = [l1, batchnorm], steps = 12, batch_size = 60, learning_rate = 0.02,
                        eval_every = 6, checkpoint_every = 3, parallel_variants = 2 }
                spark { workers = 3, averaging_frequency = 3 }
                analysis.smoothing_window = 4
                report.layers = [1, 2]
                """);
        RunSettings s = RunSettings.from(RunConfig.load(file.toFile(), List.of()));
        assertEquals(new RunSettings("d1", "out", "out/here", 7L, true, new DataSettings("/data/c10", "/tmp/c", 100),
                new ModelSettings(ModelSettings.Kind.DLN, ModelSettings.Preset.VGG16, "8,M", List.of(32, 16),
                        new DlnSettings(4, 6, 60), new NoiseSettings(0.25, 2.0, 0.05, 0.2, bnscope.core.layers.NoiseGenerator.ND4J),
                        bnscope.core.models.Implementation.FUSED, bnscope.core.layers.ConvBackward.COMBINED),
                // the deprecated train.parallel_variants still sets how many cells run at once
                new TrainSettings(List.of(Variant.L1, Variant.BATCHNORM), 12, 60, 0.02, 6, 3, List.of(), List.of(), 2),
                new SparkSettings(3, 3), s.probes(), new AnalysisSettings(4, List.of(1, 2))), s);
        assertTrue(s.model().isDln());
        assertEquals(7L, s.probes().seed());
    }

    @Test
    void closedSetsAreEnumsWhoseLabelsAreTheAcceptedValues() {
        assertEquals(ConfigKeys.byName("model.kind").rule(), "one of dln, vgg");
        assertEquals(ConfigKeys.byName("model.preset").rule(), "one of vgg-mini, vgg16");
        assertEquals(ConfigKeys.VARIANT_NAMES.size(), Variant.values().length);
        for (String label : ModelSettings.Kind.labels()) {
            assertEquals(label, ModelSettings.Kind.fromName(label).label());
        }
        assertThrows(BadInputException.class, () -> ModelSettings.Preset.fromName("vgg19"));
    }

    @Test
    void settingsSurviveJavaSerialization() throws Exception {
        RunSettings s = RunSettings.from(RunConfig.load(null, List.of("train.variants=[linf, noisy-batchnorm]", "model.dense=[3]")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(s, in.readObject());
        }
    }
}
