package bnscope.analysis;

import bnscope.core.BadInputException;
import bnscope.core.tables.Column;
import bnscope.core.tables.TableSchema;
import org.jline.reader.Completer;
import org.jline.reader.impl.completer.SystemCompleter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.shell.jline3.PicocliCommands;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SQL shell's own commands, the lines starting with {@code \}: one picocli command each, so
 * {@code \help} and the completion of their names come from the same definitions as their parsing.
 * {@code \tables} and {@code \d} answer from the run listing and the table schemas (docs/tables.md),
 * without waiting for Spark.
 */
@Command(name = "shell", description = "The SQL shell's commands (SQL statements end in ';' and may span lines).")
final class ShellCommands {
    private final SqlShell shell;
    private final RunViews listing;
    private final PrintStream console;
    private final CommandLine commandLine;
    private boolean quit;

    ShellCommands(SqlShell shell, RunViews listing, PrintStream console) {
        this.shell = shell;
        this.listing = listing;
        this.console = console;
        this.commandLine = new CommandLine(this);
        PrintWriter writer = new PrintWriter(console, true);
        commandLine.setOut(writer).setErr(writer)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    shell.report(e);
                    return 1;
                })
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine sub = e.getCommandLine();
                    console.println(e.getMessage() + ". Usage: " + sub.getHelp().synopsis(0).strip() + " (\\help lists the commands).");
                    return 2;
                });
    }

    /** Runs one command line; returns false when the shell should end ({@code \q}). */
    boolean run(String line) {
        String[] words = line.strip().split("\\s+");
        if (!commandLine.getSubcommands().containsKey(words[0])) {
            console.println("Unknown shell command " + words[0] + ". The commands: "
                    + String.join(", ", commandLine.getSubcommands().keySet()) + "; SQL statements end in ';'.");
            return true;
        }
        commandLine.execute(words);
        return !quit;
    }

    /** Completion of the command names (JLine, through picocli's shell support). */
    Completer completer() {
        SystemCompleter completer = new PicocliCommands(commandLine).compileCompleters();
        completer.compile();
        return completer;
    }

    @Command(name = "\\tables", description = "The views over the runs: name, how many runs hold it, what it holds.")
    void tables() {
        int runs = listing.parts().values().stream().flatMap(List::stream).map(RunViews.Part::run).distinct().toList().size();
        TextTable table = new TextTable(List.of("view", "runs", "holds"), new boolean[3]);
        for (var view : listing.parts().entrySet()) {
            TableSchema schema = view.getValue().get(0).table();
            table.add(List.of(view.getKey(), view.getValue().size() + " of " + runs, firstSentence(schema.description())));
        }
        console.print(table.render());
    }

    @Command(name = "\\d", description = "The columns of a view: name, type, unit and meaning (docs/tables.md).")
    void describe(@Parameters(paramLabel = "VIEW", description = "A view name, e.g. curves.") String view) {
        String name = view.toLowerCase(Locale.ROOT).replace(";", "");
        Optional<TableSchema> schema = RunViews.allTables().stream().filter(t -> t.name().equals(name)).findFirst();
        if (schema.isEmpty()) {
            throw new BadInputException("\\d " + view + ": there is no view " + view + ". The views: "
                    + String.join(", ", listing.parts().keySet()) + ".");
        }
        listing.whyMissing(name).ifPresent(why -> console.println("note: " + why));
        TextTable table = new TextTable(List.of("column", "type", "unit", "meaning"), new boolean[4]);
        table.add(List.of("run", "string", "", "the run: its manifest's run_id, else the directory name"));
        for (Column c : schema.get().columns()) {
            table.add(List.of(c.name(), SparkTableSchema.sparkType(c.type()).simpleString(), c.unit(), c.doc()));
        }
        if (schema.get().partitionColumn() != null) {
            table.add(List.of(schema.get().partitionColumn(), "string", "", "the network variant (the folder "
                    + schema.get().partitionColumn() + "=... the rows are in)"));
        }
        console.print(table.render());
    }

    @Command(name = "\\out", description = "Write the next statement's result to FILE.csv (one CSV file with a header) "
            + "or FILE.parquet (a Parquet folder, replaced) instead of printing it.")
    void out(@Parameters(paramLabel = "FILE.csv|FILE.parquet") String file) {
        shell.outNext(file);
        console.println("the next result goes to " + file);
    }

    @Command(name = "\\timing", description = "Print how long each statement takes (toggles).")
    void timing() {
        console.println("Timing is " + (shell.toggleTiming() ? "on." : "off."));
    }

    @Command(name = "\\rows", description = "Rows printed of a result (default " + SqlCommand.Options.DEFAULT_MAX_ROWS
            + "); the rest are counted.")
    void rows(@Parameters(paramLabel = "N") int rows) {
        shell.maxRows(rows);
        console.println("Printing at most " + rows + " rows.");
    }

    @Command(name = "\\help", aliases = "\\?", description = "List the shell's commands.")
    void help() {
        console.println("SQL statements end in ';' and may span lines; the views are those of `./submit.sh sql` (docs/queries.md).");
        for (CommandLine sub : commandLine.getSubcommands().values().stream().distinct().toList()) {
            console.println("  " + sub.getHelp().synopsis(0).strip() + "\n      " + String.join(" ", sub.getCommandSpec().usageMessage().description()));
        }
    }

    @Command(name = "\\q", aliases = "\\quit", description = "Leave the shell (Ctrl-D too).")
    void quit() {
        quit = true;
    }

    /** Up to the first full stop that ends a sentence ("Fig. 3" and "e.g. x" do not). */
    static String firstSentence(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<!Fig|e\\.g|i\\.e)\\.(\\s|$)").matcher(text);
        return m.find() ? text.substring(0, m.start() + 1) : text;
    }
}
