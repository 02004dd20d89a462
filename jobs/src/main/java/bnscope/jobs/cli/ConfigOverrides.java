package bnscope.jobs.cli;

import bnscope.core.config.RunConfig;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** {@code --set key=value}, shared by the commands that load a run config (train, run), and the loading itself. */
final class ConfigOverrides {
    @Option(names = "--set", paramLabel = "key=value", description = "Override one config key (repeatable); keys in docs/config.md.")
    List<String> overrides = new ArrayList<>();

    /** The config file at {@code path} with these overrides applied. */
    RunConfig load(String path) {
        return RunConfig.load(new File(path), overrides);
    }
}
