package bnscope.jobs.cli;

import bnscope.core.BadInputException;
import bnscope.core.config.ConfigDocs;
import bnscope.core.tables.TableDocs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The bnscope command line as one picocli spec: every subcommand is a class of this package with
 * typed options, and {@code --help}, {@code help CMD}, {@code CMD --help} and docs/cli.md are all
 * rendered from that spec, so the documented options cannot drift from the parsed ones.
 */
@Command(name = "./submit.sh")
public final class Cli {
    /** Help and docs are rendered at a fixed width and without colour, so docs/cli.md is reproducible. */
    static final int WIDTH = 100;
    static final String ERRORS_DOC = "docs/errors.md";

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;

    private final PrintStream out;
    private final CommandLine commandLine;

    public Cli(PrintStream out) {
        this.out = out;
        this.commandLine = new CommandLine(this)
                .addSubcommand(new RunCommand(this))
                .addSubcommand(new TrainCommand(this))
                .addSubcommand(new AnalyzeCommand(this))
                .addSubcommand(new ReportCommand(this))
                .addSubcommand(new SqlQueryCommand(this))
                .addSubcommand(new CompareRunsCommand(this))
                .addSubcommand(new ClaimsCommand(this))
                .addSubcommand(new TheoryCommand(this))
                .addSubcommand(new SurfaceCommand(this))
                .addSubcommand(new DocsCommand(this))
                .addSubcommand(new HelpCommand(this));
        commandLine.setUsageHelpWidth(WIDTH).setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        commandLine.getSubcommands().values().forEach(c -> c.setUsageHelpWidth(WIDTH)
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)));
    }

    PrintStream out() {
        return out;
    }

    /** The subcommand names, in the order --help lists them. */
    public List<String> commandNames() {
        return List.copyOf(commandLine.getSubcommands().keySet());
    }

    /**
     * Parses {@code args} (none: {@code run}) and runs the chosen command; returns its exit status.
     * Bad options throw {@link CommandLine.ParameterException}; the work's own failures propagate.
     */
    public int execute(String[] args) throws Exception {
        String[] effective = args.length == 0 ? new String[]{"run"} : args;
        String first = effective[0];
        if (!first.startsWith("-") && !commandLine.getSubcommands().containsKey(first)) {
            throw new BadInputException("Unknown command '" + first + "'. Commands: " + String.join(", ", commandNames())
                    + ". Run `./submit.sh --help`.");
        }
        ParseResult parsed = commandLine.parseArgs(effective);
        if (parsed.isUsageHelpRequested() || !parsed.hasSubcommand()) {
            out.print(overview());
            return 0;
        }
        ParseResult sub = parsed.subcommand();
        if (sub.isUsageHelpRequested()) {
            out.print(usage(sub.commandSpec().name()));
            return 0;
        }
        return ((Callable<?>) sub.commandSpec().userObject()).call() instanceof Integer status ? status : 0;
    }

    /** The command a parse failure belongs to ({@code ex.getCommandLine()}), by name. */
    static String nameOf(CommandLine.ParameterException ex) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        return spec.parent() == null ? "" : spec.name();
    }

    /** One command's help: synopsis, description and options, as {@code CMD --help} prints it. */
    public String usage(String command) {
        CommandLine sub = commandLine.getSubcommands().get(command);
        if (sub == null) {
            throw new IllegalArgumentException("no command " + command);
        }
        return sub.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The synopsis of a command on one line, e.g. {@code ./submit.sh report [-h] [--master=URL] RUN_DIR}. */
    public String synopsis(String command) {
        CommandLine sub = commandLine.getSubcommands().get(command);
        return sub.getHelp().synopsis(0).replaceAll("\\s+", " ").strip();
    }

    /** The text of {@code ./submit.sh --help}: every command's synopsis and description, then the config keys. */
    public String overview() {
        StringBuilder sb = new StringBuilder()
                .append("bnscope: reproduce \"How Does Batch Normalization Help Optimization?\" with DL4J on Spark.\n\n")
                .append("Usage: ./submit.sh [COMMAND] [ARGS]      (no command: run conf/default.conf end to end)\n\n")
                .append("Commands (options of one: ./submit.sh help COMMAND, or COMMAND --help):\n");
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            sb.append("  ").append(synopsis(sub.getCommandSpec().name())).append('\n')
                    .append(wrap(String.join(" ", sub.getCommandSpec().usageMessage().description()), "      ")).append('\n');
        }
        sb.append("\nBad input (unknown options or config keys, missing or corrupt files, unreadable tables, an unreachable\n")
                .append("master) ends with one paragraph and exit status 2, a failure during the work with status 1; every\n")
                .append("kind and its status: ").append(ERRORS_DOC).append(".\n")
                .append("\nCluster: --master spark://HOST:7077 (or SPARK_HOME with spark-submit) sends the job to a cluster;\n")
                .append("without it an embedded local Spark runs in this JVM. Config keys (docs/config.md):\n")
                .append(ConfigDocs.plainText());
        return sb.toString();
    }

    /** The generated documents (config keys, table schemas, this command line), by path relative to the repository root. */
    public Map<String, String> generatedDocs() {
        Map<String, String> docs = new LinkedHashMap<>();
        docs.put("docs/config.md", ConfigDocs.markdown());
        docs.put("docs/tables.md", TableDocs.markdown());
        docs.put("docs/cli.md", markdown());
        return docs;
    }

    /** docs/cli.md: each command's help exactly as the command prints it. */
    public String markdown() {
        StringBuilder md = new StringBuilder("# Command line\n\nGenerated from the picocli commands in `bnscope.jobs.cli` (a test fails "
                + "when it is stale;\nregenerate with `./submit.sh docs`). Every command is run as `./submit.sh COMMAND ...`; "
                + "`./submit.sh help COMMAND`\nand `./submit.sh COMMAND --help` print the same text. Bad input (unknown keys or "
                + "options, missing or corrupt\nfiles, unreadable tables, an unreachable master) ends with a one-paragraph message "
                + "and exit status 2; a failure\nduring the work ends with status 1. Every kind of bad input: [errors.md](errors.md).\n");
        for (String name : commandNames()) {
            md.append("\n## `").append(name).append("`\n\n```\n").append(usage(name).stripTrailing()).append("\n```\n");
        }
        return md.toString();
    }

    static String wrap(String text, String indent) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() > WIDTH && line.length() > indent.length()) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(word).append(' ');
        }
        return out.append(line.toString().stripTrailing()).toString();
    }
}
