package bnscope.jobs.cli;

import bnscope.core.theory.LiveBatchNormChecks;
import bnscope.jobs.TheoryJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code theory}: the paper's BatchNorm theory checked on a run's checkpoints. */
@Command(name = "theory", sortOptions = false, sortSynopsis = false, description = "Check the paper's BatchNorm theory (Fact C.1, Theorem 4.1 "
        + "exact and as printed, Theorem 4.2) on every checkpoint of the run's BatchNorm variants, with the minibatches the "
        + "run trained on, in double precision on the driver; writes the theory_checks table and prints the error "
        + "distribution. Exits 1 when Fact C.1, Theorem 4.1 or Theorem 4.2 misses the tolerance on any unit (the printed "
        + "1/sqrt(m) form of Theorem 4.1 is expected to fail and does not count). See docs/theory.md.")
final class TheoryCommand implements Callable<Integer> {
    private static final LiveBatchNormChecks.Settings DEFAULTS = LiveBatchNormChecks.Settings.defaults();

    private final Cli cli;
    @Parameters(paramLabel = "RUN_DIR", description = "Run directory with checkpoints of a BatchNorm variant.")
    String run;
    @Option(names = "--steps", split = ",", paramLabel = "S", description = "Only the checkpoints of these steps (comma-separated).")
    List<Long> steps = new ArrayList<>();
    @Option(names = "--units", paramLabel = "N", description = "First N units of each BatchNorm layer (default "
            + "${DEFAULT-VALUE}; layers of <= 16 units in full).")
    int units = DEFAULTS.units();
    @Option(names = "--hessian-units", paramLabel = "N", description = "How many of them get Theorem 4.2 (default ${DEFAULT-VALUE}).")
    int hessianUnits = DEFAULTS.hessianUnits();
    @Option(names = "--hessian-step", paramLabel = "X", description = "Relative finite-difference step of Theorem 4.2 "
            + "(default ${DEFAULT-VALUE}).")
    double hessianStep = DEFAULTS.hessianStep();
    @Option(names = "--tolerance", paramLabel = "X", description = "Relative error up to which an identity holds "
            + "(default ${DEFAULT-VALUE}).")
    double tolerance = TheoryJob.DEFAULT_TOLERANCE;
    @Mixin
    BreakLockOption lock;
    @Option(names = "--master", paramLabel = "URL", description = "Accepted and unused: the checks run on the driver.")
    String master;
    @Mixin
    HelpOption help;

    TheoryCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        return TheoryJob.run(run, TheoryJob.Options.of(steps, units, hessianUnits, hessianStep, tolerance).withBreakLock(lock.breakLock), cli.out());
    }
}
