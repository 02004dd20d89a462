package bnscope.core.config;

import bnscope.core.grid.Grid;
import bnscope.core.grid.GridCell;
import bnscope.core.models.Variant;
import bnscope.core.probes.ProbeSettings;

import java.io.Serializable;
import java.util.List;

/**
 * A run's validated configuration as typed values, built once from a {@link RunConfig} by
 * {@link #from}: the only place that reads config keys by name. Code takes these records (or the
 * part it needs) instead of the RunConfig, so a renamed key or a wrong type is one compile error or
 * one failing test here, not a string read somewhere on an executor. Serializable throughout, so
 * any part can be shipped to executors.
 *
 * @param name      run.name
 * @param outputDir run.output_dir: parent of run directories
 * @param dir       run.dir: explicit run directory; empty means outputDir/name
 * @param seed      run.seed: the master seed every random draw derives from (a grid cell's seed in {@link #forCell})
 * @param overwrite run.overwrite
 */
public record RunSettings(String name, String outputDir, String dir, long seed, boolean overwrite, DataSettings data,
                          ModelSettings model, TrainSettings train, SparkSettings spark, ProbeSettings probes,
                          AnalysisSettings analysis) implements Serializable {

    /** The typed values of {@code c} (already validated, so nothing here can fail on user input). */
    public static RunSettings from(RunConfig c) {
        List<String> variants = c.getList("train.variants");
        return new RunSettings(
                c.getString("run.name"), c.getString("run.output_dir"), c.getString("run.dir"), c.getLong("run.seed"),
                c.getBoolean("run.overwrite"),
                new DataSettings(c.getString("data.dir"), c.getString("data.cache_dir"), c.getInt("data.test_examples")),
                new ModelSettings(ModelSettings.Kind.fromName(c.getString("model.kind")),
                        ModelSettings.Preset.fromName(c.getString("model.preset")), c.getString("model.conv_stack"),
                        c.getList("model.dense"),
                        new DlnSettings(c.getInt("dln.depth"), c.getInt("dln.width"), c.getInt("dln.samples")),
                        new NoiseSettings(c.getDouble("noise.n_mu"), c.getDouble("noise.n_sigma"), c.getDouble("noise.r_mu"),
                                c.getDouble("noise.r_sigma"), bnscope.core.layers.NoiseGenerator.fromName(c.getString("noise.generator"))),
                        bnscope.core.models.Implementation.fromName(c.getString("model.implementation")),
                        bnscope.core.layers.ConvBackward.fromName(c.getString("model.conv_backward"))),
                new TrainSettings(variants.stream().map(Variant::fromName).toList(), c.getInt("train.steps"),
                        c.getInt("train.batch_size"), c.getDouble("train.learning_rate"), c.getInt("train.eval_every"),
                        c.getInt("train.checkpoint_every"), c.getList("train.learning_rates"), c.getList("train.seeds"),
                        c.getInt("train.parallel_cells") > 0 ? c.getInt("train.parallel_cells") : c.getInt("train.parallel_variants")),
                new SparkSettings(c.getInt("spark.workers"), c.getInt("spark.averaging_frequency")),
                ProbeConfig.settings(c),
                new AnalysisSettings(c.getInt("analysis.smoothing_window"), c.getList("report.layers")));
    }

    /** The cells of the run's experiment grid, in training order ({@link Grid}). */
    public List<GridCell> cells() {
        return Grid.cells(train, seed);
    }

    /**
     * The settings one grid cell trains with: its learning rate in place of train.learning_rate and
     * its seed in place of run.seed (probe samples included), so everything seeded from the run
     * seed is seeded from the cell's.
     */
    public RunSettings forCell(GridCell cell) {
        return new RunSettings(name, outputDir, dir, cell.seed(), overwrite, data, model, train.forLearningRate(cell.learningRate()),
                spark, probes.withSeed(cell.seed()), analysis);
    }
}
