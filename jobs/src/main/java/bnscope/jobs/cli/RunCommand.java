package bnscope.jobs.cli;

import bnscope.analysis.claims.ClaimsCheck;
import bnscope.jobs.AnalysisCommands;
import bnscope.jobs.TrainJob;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code run}: train, analyze and report in one go (what {@code ./submit.sh} with no arguments does). */
@Command(name = "run", sortOptions = false, sortSynopsis = false, description = "The main job: train every variant of CONF (default "
        + "conf/default.conf), compute the metric tables and write the report; prints the claims table and where the report is. This is what "
        + "`./submit.sh` with no arguments does.")
final class RunCommand implements Callable<Integer> {
    static final String DEFAULT_CONF = "conf/default.conf";

    private final Cli cli;
    @Parameters(arity = "0..1", paramLabel = "CONF", description = "Config file (HOCON; default conf/default.conf).")
    String conf;
    @Mixin
    ConfigOverrides config;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    RunCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        String url = master.checked();
        Path runDir = new TrainJob(config.load(conf == null ? defaultConf() : conf), cli.out())
                .run(new TrainJob.Options(false, null, url));
        AnalysisCommands.analyze(List.of(runDir.toString()), url, cli.out());
        String report = AnalysisCommands.report(runDir.toString(), url, cli.out());
        cli.out().println();
        AnalysisCommands.claims(runDir.toString(), ClaimsCheck.Format.TEXT, List.of(), url, cli.out());
        cli.out().println("\nbnscope: done. Report: " + report + "\n  Explore the tables: ./submit.sh sql \"SELECT * FROM curves\" --runs " + runDir);
        return 0;
    }

    /** conf/default.conf of the bnscope installation (submit.sh passes -Dbnscope.home), else of the working directory. */
    private static String defaultConf() {
        String home = System.getProperty("bnscope.home");
        if (home != null && !new File(DEFAULT_CONF).isFile()) {
            return new File(home, DEFAULT_CONF).getPath();
        }
        return DEFAULT_CONF;
    }
}
