package bnscope.jobs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code docs}: the documents generated from the code (config keys, table schemas, this command line). */
@Command(name = "docs", sortOptions = false, sortSynopsis = false, description = "Regenerate docs/config.md, docs/tables.md and docs/cli.md from "
        + "the code; run from the repository root. Exits 1 with --check when one is stale.")
final class DocsCommand implements Callable<Integer> {
    private final Cli cli;
    @Option(names = "--check", description = "Only verify that they are up to date.")
    boolean check;
    @Mixin
    HelpOption help;

    DocsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        int stale = 0;
        for (Map.Entry<String, String> doc : cli.generatedDocs().entrySet()) {
            Path p = Path.of(doc.getKey());
            try {
                boolean same = Files.exists(p) && Files.readString(p).equals(doc.getValue());
                if (check) {
                    cli.out().println((same ? "up to date: " : "STALE:      ") + p);
                    stale += same ? 0 : 1;
                } else if (!same) {
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, doc.getValue());
                    cli.out().println("wrote " + p);
                } else {
                    cli.out().println("up to date: " + p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + p + " (run from the repository root)", e);
            }
        }
        return stale == 0 ? 0 : 1;
    }
}
