package bnscope.core.run;

import bnscope.core.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The typed manifest reads what the landed bnscope wrote, keeps what it does not know, and names a damaged file. */
class ManifestFileTest {
    /** The shape TrainJob on main wrote before the typed model (raw map; no written_by, no resumes). */
    static final String OLD_MANIFEST = """
            {
              "run_id" : "default",
              "created_at" : "2026-11-30T16:40:00Z",
              "started_at" : "2026-11-30T16:40:00Z",
              "config_source" : "conf/default.conf",
              "config" : { "train.learning_rate" : 0.1, "train.steps" : 5, "report.layers" : [ 1, 5 ], "run.seed" : 42 },
              "seeds" : { "run_seed" : 42, "derivation" : "network init = run.seed" },
              "data" : { "location" : "data/cifar10-mini", "training_records" : 1000 },
              "spark" : { "master" : "local[2]", "version" : "3.5.9" },
              "versions" : { "bnscope" : "unknown", "spark" : "3.5.9" },
              "native" : { "backend" : "CPU", "onednn" : true },
              "git_commit" : "unknown",
              "status" : "failed",
              "tables" : { "complete" : false },
              "variants" : { "batchnorm" : { "status" : "completed", "parameters" : 137000, "layer_helpers" : { "0" : "MKLDNNConvHelper" },
                  "steps" : 5, "final_train_loss" : 2.1, "final_test_loss" : NaN, "train_seconds" : 3.5, "dln_levels" : [ 1.5 ] } },
              "failure" : "IllegalStateException: boom",
              "finished_at" : "2026-11-30T16:41:00Z",
              "some_future_field" : { "x" : 1 }
            }
            """;

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void readsTheManifestMainWritesTodayAndKeepsUnknownFields() throws Exception {
        Files.writeString(tmp.resolve(RunLayout.MANIFEST), OLD_MANIFEST);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path run = new Path(tmp.toString());
        Manifest m = ManifestFile.read(fs, run);
        assertEquals("default", m.runId);
        assertEquals(Manifest.FAILED, m.status);
        assertEquals("IllegalStateException: boom", m.failure);
        assertEquals(0.1, m.config.get("train.learning_rate"));
        assertEquals(List.of(1, 5), m.config.get("report.layers"));
        assertFalse(m.tablesComplete());
        Manifest.Variant bn = m.variants.get("batchnorm");
        assertEquals(Manifest.COMPLETED, bn.status);
        assertEquals(5L, bn.steps);
        assertEquals(137000L, bn.parameters);
        assertTrue(bn.finalTestLoss.isNaN());
        assertNull(m.writtenBy, "an old manifest has no writer");
        assertNull(m.resumes);

        ManifestFile.write(fs, run, m);
        String written = Files.readString(tmp.resolve(RunLayout.MANIFEST));
        assertTrue(written.contains("\"some_future_field\""), written);
        assertTrue(written.contains("\"dln_levels\""), written);
        assertTrue(written.contains("\"status\" : \"failed\""), written);
        Manifest again = ManifestFile.read(fs, run);
        assertEquals(ProcessHandle.current().pid(), again.writtenBy.pid());
        assertEquals(Map.of("x", 1), again.other().get("some_future_field"));
        assertFalse(Files.exists(tmp.resolve("." + RunLayout.MANIFEST + ".tmp")), "no staged file left");
    }

    @Test
    void aManifestWithMissingFieldsReadsAsNulls() throws Exception {
        Files.writeString(tmp.resolve(RunLayout.MANIFEST), "{ \"status\" : \"running\" }");
        Manifest m = ManifestFile.read(FileSystem.getLocal(new Configuration()), new Path(tmp.toString()));
        assertEquals(Manifest.RUNNING, m.status);
        assertNull(m.config);
        assertTrue(m.variants.isEmpty());
    }

    @Test
    void variantsListedByNameReadAsEmptyRecords() throws Exception {
        Files.writeString(tmp.resolve(RunLayout.MANIFEST), "{ \"variants\" : [ \"standard\", \"batchnorm\" ] }");
        Manifest m = ManifestFile.read(FileSystem.getLocal(new Configuration()), new Path(tmp.toString()));
        assertEquals(List.of("standard", "batchnorm"), List.copyOf(m.variants.keySet()));
        assertNull(m.variants.get("batchnorm").status);
    }

    @Test
    void damagedOrMissingManifestsAreNamed() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path run = new Path(tmp.toString());
        BadInputException missing = assertThrows(BadInputException.class, () -> ManifestFile.read(fs, run));
        assertTrue(missing.getMessage().contains("No manifest.json"), missing.getMessage());
        assertTrue(ManifestFile.readIfPresent(fs, run).isEmpty());
        Files.writeString(tmp.resolve(RunLayout.MANIFEST), "{ \"status\" : ");
        BadInputException bad = assertThrows(BadInputException.class, () -> ManifestFile.read(fs, run));
        assertTrue(bad.getMessage().contains("not valid JSON"), bad.getMessage());
        Files.writeString(tmp.resolve(RunLayout.MANIFEST), "{ \"variants\" : 1 }");
        bad = assertThrows(BadInputException.class, () -> ManifestFile.read(fs, run));
        assertTrue(bad.getMessage().contains("wrong type"), bad.getMessage());
    }
}
