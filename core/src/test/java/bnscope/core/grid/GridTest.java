package bnscope.core.grid;

import bnscope.core.BadInputException;
import bnscope.core.config.RunConfig;
import bnscope.core.config.RunSettings;
import bnscope.core.models.Variant;
import bnscope.core.snapshots.SnapshotLayout;
import bnscope.core.tables.SnapshotTables;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The experiment grid from the config: its cells, their ids and file names, and the settings a cell trains with. */
class GridTest {

    private static RunSettings settings(String... overrides) {
        return RunSettings.from(RunConfig.load(null, List.of(overrides)));
    }

    @Test
    void aRunWithoutGridKeysIsAGridOfOneLearningRateAndSeed() {
        RunSettings s = settings("train.variants=[standard, batchnorm]", "train.learning_rate=0.05", "run.seed=9");
        assertEquals(List.of(new GridCell(Variant.STANDARD, 0.05, 9), new GridCell(Variant.BATCHNORM, 0.05, 9)), s.cells());
    }

    @Test
    void cellsSpanVariantsLearningRatesAndSeedsSeedBySeed() {
        RunSettings s = settings("train.variants=[standard, batchnorm]", "train.learning_rates=[0.1, 0.5]", "train.seeds=[1, 2]");
        List<String> ids = s.cells().stream().map(GridCell::id).toList();
        assertEquals(List.of("standard-lr0.1-seed1", "batchnorm-lr0.1-seed1", "standard-lr0.5-seed1", "batchnorm-lr0.5-seed1",
                "standard-lr0.1-seed2", "batchnorm-lr0.1-seed2", "standard-lr0.5-seed2", "batchnorm-lr0.5-seed2"), ids);
    }

    @Test
    void aCellTrainsWithItsOwnLearningRateAndSeedEverywhere() {
        RunSettings s = settings("train.learning_rates=[0.1, 0.5]", "train.seeds=[3]", "run.seed=42");
        RunSettings cell = s.forCell(new GridCell(Variant.BATCHNORM, 0.5, 3));
        assertEquals(0.5, cell.train().learningRate());
        assertEquals(List.of(0.5), cell.train().gridLearningRates());
        assertEquals(3L, cell.seed());
        assertEquals(3L, cell.probes().seed());
        assertEquals(42L, s.seed());
    }

    @Test
    void idsAndTagsAreStablePlainDecimals() {
        assertEquals("noisy-batchnorm-lr0.05-seed-7", new GridCell(Variant.NOISY_BATCHNORM, 0.05, -7).id());
        assertEquals("lr1-seed0", new GridCell(Variant.L1, 1.0, 0).tag());
        assertEquals("lr0.000001-seed1", new GridCell(Variant.L1, 1e-6, 1).tag());
        assertThrows(IllegalArgumentException.class, () -> new GridCell(Variant.L1, 0.0, 1));
    }

    @Test
    void snapshotFilesNameTheirCellAndOnlyTheirCell() {
        GridCell a = new GridCell(Variant.BATCHNORM, 0.1, 1);
        GridCell b = new GridCell(Variant.BATCHNORM, 0.1, 12);
        String part = SnapshotLayout.partFileName(a, 3, 1);
        String driver = SnapshotLayout.driverFileName(a, 40);
        assertEquals("part-lr0.1-seed1-s000003-w001.parquet", part);
        assertEquals("driver-lr0.1-seed1-t000000040.parquet", driver);
        assertEquals(3, SnapshotLayout.splitOf(part));
        assertEquals(40, SnapshotLayout.driverStepOf(driver));
        assertTrue(SnapshotLayout.holdsCell(part, a) && SnapshotLayout.holdsCell(driver, a));
        assertFalse(SnapshotLayout.holdsCell(part, b) || SnapshotLayout.holdsCell(driver, b));
        assertEquals(new Path("/r/metrics/variant=batchnorm/" + part),
                new SnapshotLayout(new Path("/r")).committedFile(SnapshotTables.METRICS, a, 3, 1));
    }

    @Test
    void repeatedGridValuesAndDisagreeingParallelismAreBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> settings("train.learning_rates=[0.1, 0.1]"));
        assertTrue(e.getMessage().contains("train.learning_rates") && e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> settings("train.seeds=[4, 4]"));
        assertTrue(e.getMessage().contains("train.seeds"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> settings("train.learning_rates=[0.1, -0.5]"));
        assertTrue(e.getMessage().contains("train.learning_rates"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> settings("train.parallel_cells=2", "train.parallel_variants=3"));
        assertTrue(e.getMessage().contains("train.parallel_variants") && e.getMessage().contains("deprecated"), e.getMessage());
        assertEquals(3, settings("train.parallel_variants=3").train().parallelCells());
        assertEquals(0, settings().train().parallelCells());
    }
}
