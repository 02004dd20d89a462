package bnscope.jobs.cli;

import bnscope.jobs.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code train}: the training job alone. */
@Command(name = "train", sortOptions = false, sortSynopsis = false, description = "Train the variants of CONF with DL4J parameter averaging on "
        + "Spark, recording per-step metrics and the probe tables into the run directory (run.output_dir/run.name unless "
        + "--run-dir).")
final class TrainCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(paramLabel = "CONF", description = "Config file (HOCON), e.g. conf/default.conf.")
    String conf;
    @Mixin
    ConfigOverrides config;
    @Option(names = "--resume", description = "Continue a stopped run from its last checkpoint without duplicating rows.")
    boolean resume;
    @Mixin
    BreakLockOption lock;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default run.output_dir/run.name).")
    String runDir;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    TrainCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        String url = master.checked();
        new TrainJob(config.load(conf), cli.out()).run(new TrainJob.Options(resume, runDir, url, lock.breakLock));
        return 0;
    }
}
