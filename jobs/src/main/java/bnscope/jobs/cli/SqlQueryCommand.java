package bnscope.jobs.cli;

import bnscope.analysis.OutputPath;
import bnscope.analysis.SqlCommand;
import bnscope.core.BadInputException;
import bnscope.jobs.AnalysisCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sql}: Spark SQL over the tables of one or more runs. */
@Command(name = "sql", sortOptions = false, sortSynopsis = false, description = "Run Spark SQL over the runs' snapshot and metric tables, each a "
        + "view with a `run` column; print an aligned table or write CSV/Parquet. With no query: an interactive shell on one "
        + "Spark session (\\help inside lists its commands); with --duckdb: print the same views as a DuckDB script. "
        + "Examples in docs/queries.md.")
final class SqlQueryCommand implements Callable<Integer> {
    private final Cli cli;
    @Parameters(arity = "0..1", paramLabel = "QUERY", description = "One query in quotes (or -f FILE); none: open the shell.")
    String query;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the query from FILE instead.")
    String file;
    @Option(names = "--runs", arity = "1..*", required = true, paramLabel = "RUN_DIR",
            description = "The run directories whose tables become views (values up to the next option).")
    List<String> runs;
    @Option(names = "--out", paramLabel = "FILE.csv|FILE.parquet", description = "Write the result: one CSV file with a "
            + "header, or a Parquet folder (replaced). Checked before the query runs.")
    String outPath;
    @Option(names = "--duckdb", description = "Print a DuckDB script defining the same views over the runs' Parquet "
            + "folders (no Spark starts); e.g. ./submit.sh sql --duckdb --runs RUN > views.sql; duckdb -init views.sql.")
    boolean duckdb;
    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "" + SqlCommand.Options.DEFAULT_MAX_ROWS,
            description = "Rows printed on the console (default ${DEFAULT-VALUE}); the rest are counted.")
    int maxRows;
    @Mixin
    MasterOption master;
    @Mixin
    HelpOption help;

    SqlQueryCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        if (file != null && query != null) {
            throw new BadInputException("`sql` takes either a query or -f FILE, not both (got the query '" + query
                    + "' and -f " + file + ").");
        }
        if (duckdb) {
            if (file != null || query != null || outPath != null) {
                throw new BadInputException("`sql --duckdb` prints the views as a DuckDB script and runs no query: leave out the "
                        + "query, -f and --out (got " + (query != null ? "the query '" + query + "'" : file != null ? "-f " + file
                        : "--out " + outPath) + "); run the query in DuckDB after loading the script.");
            }
            return AnalysisCommands.duckdbScript(runs, cli.out());
        }
        if (file == null && query == null) {
            if (outPath != null) {
                throw new BadInputException("`sql --out " + outPath + "` needs a query (or -f FILE); in the shell (no query), "
                        + "type \\out FILE before the statement whose result it should get.");
            }
            List<String> args = new ArrayList<>(List.of("sql", "--runs"));
            args.addAll(runs);
            String url = master.checked();
            if (url != null) {
                args.addAll(List.of("--master", url));
            }
            return AnalysisCommands.sqlShell(runs, maxRows, url, cli.out(), e -> Failure.of(cli, args.toArray(new String[0]), e).message());
        }
        String sql = file != null ? SqlCommand.readQueryFile(file) : query;
        SqlCommand.Options options = SqlCommand.Options.print().withMaxRows(maxRows);
        if (outPath == null) {
            return AnalysisCommands.sql(runs, sql, options, master.checked(), cli.out());
        }
        SqlCommand.Options toFile = options.withOut(outPath);
        OutputPath target = OutputPath.check(outPath);
        String url = master.checked();
        return target.writeOrRemove(() -> AnalysisCommands.sql(runs, sql, toFile, url, cli.out()));
    }
}
