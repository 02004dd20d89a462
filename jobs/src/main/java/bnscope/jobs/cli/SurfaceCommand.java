package bnscope.jobs.cli;

import bnscope.core.surface.SurfaceGrid;
import bnscope.jobs.SurfaceJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code surface}: the 2-D loss surface and the 1-D interpolation line of one checkpoint, as a Spark job. */
@Command(name = "surface", sortOptions = false, sortSynopsis = false, description = "Compute the loss surface around a "
        + "checkpoint: training loss and accuracy on a fixed training sample at every point of a grid in the plane of two "
        + "filter-normalized random directions (Li et al. 2018), plus the straight line from the initial weights to the "
        + "checkpoint (Goodfellow et al. 2015). The points run as Spark tasks; rows go to the surface table, committed "
        + "exactly once. See docs/surface.md.")
final class SurfaceCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(paramLabel = "RUN_DIR", description = "Run directory with checkpoints.")
    String run;
    @Option(names = "--variant", required = true, paramLabel = "V", description = "Variant whose checkpoint to use, e.g. batchnorm.")
    String variant;
    @Option(names = "--lr", paramLabel = "X", description = "Learning rate of the cell (default: the run's only one).")
    Double lr;
    @Option(names = "--seed", paramLabel = "S", description = "Seed of the cell (default: the run's only one).")
    Long seed;
    @Option(names = "--step", required = true, paramLabel = "N", description = "Step of the checkpoint.")
    long step;
    @Option(names = "--grid", paramLabel = "CxR", description = "Plane grid, columns x rows (default ${DEFAULT-VALUE}).")
    String grid = "31x31";
    @Option(names = "--span", paramLabel = "X", description = "The plane covers [-X, X]² in direction units (default ${DEFAULT-VALUE}).")
    double span = 1.0;
    @Option(names = "--line-points", paramLabel = "N", description = "Points of the line from the initial weights, t in [0, 1]; "
            + "0 for none (default ${DEFAULT-VALUE}).")
    int linePoints = 21;
    @Option(names = "--sample", paramLabel = "N", description = "Training examples in the fixed sample (default ${DEFAULT-VALUE}).")
    int sample = SurfaceJob.DEFAULT_SAMPLE;
    @Option(names = "--direction-seed", paramLabel = "S", description = "Seed of the directions and the sample (default: the cell's seed).")
    Long directionSeed;
    @Option(names = "--partitions", paramLabel = "N", description = "Spark tasks (default: 4 per core, at most one per point).")
    Integer partitions;
    @Option(names = "--max-minutes", paramLabel = "X", description = "Refuse a surface estimated to take longer (default ${DEFAULT-VALUE}).")
    double maxMinutes = SurfaceJob.DEFAULT_MAX_MINUTES;
    @Mixin
    BreakLockOption lock;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    SurfaceCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        SurfaceGrid g = SurfaceGrid.parse(grid, span, linePoints);
        return SurfaceJob.run(run, new SurfaceJob.Options(variant, lr, seed, step, g, sample, directionSeed, partitions, maxMinutes,
                lock.breakLock, master.checked()), cli.out());
    }
}
