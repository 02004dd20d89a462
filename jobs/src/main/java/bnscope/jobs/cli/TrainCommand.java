package bnscope.jobs.cli;

import bnscope.core.config.RunConfig;
import bnscope.jobs.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code train}: the training job alone. */
@Command(name = "train", sortOptions = false, sortSynopsis = false, description = "Train the variants of CONF with DL4J parameter averaging on "
        + "Spark, recording per-step metrics and the probe tables into the run directory (run.output_dir/run.name unless "
        + "--run-dir).")
final class TrainCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(paramLabel = "CONF", description = "Config file (HOCON), e.g. conf/default.conf.")
    String conf;
    @Option(names = "--set", paramLabel = "key=value", description = "Override one config key (repeatable); keys in docs/config.md.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--resume", description = "Continue a stopped run from its last checkpoint without duplicating rows.")
    boolean resume;
    @Option(names = "--break-lock", description = "Take over the run's lock from a writer that is gone (stale: pid dead or no "
            + "heartbeat for 120 s); a live writer's lock is never broken. See docs/run-directory.md.")
    boolean breakLock;
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
        new TrainJob(loadConfig(conf, overrides), cli.out()).run(new TrainJob.Options(resume, runDir, url, breakLock));
        return 0;
    }

    static RunConfig loadConfig(String path, List<String> overrides) {
        return RunConfig.load(new File(path), overrides);
    }
}
