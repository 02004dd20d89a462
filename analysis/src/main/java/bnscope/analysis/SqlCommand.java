package bnscope.analysis;

import bnscope.core.BadInputException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * Runs a Spark SQL query over the tables of one or more runs ({@link RunViews}) and prints the
 * result as an aligned text table, or writes it to a single CSV file (with header) or a Parquet
 * folder. Entry point of {@code ./submit.sh sql "QUERY" --runs RUN_DIR...}. Only one read-only
 * statement runs per call ({@link ReadOnlyStatement}): the command is for querying runs, never for
 * changing them.
 */
public final class SqlCommand {
    private SqlCommand() {
    }

    /**
     * @param maxRows rows printed on the console (the rest are counted and reported as omitted)
     * @param out     null to print; a path ending in .csv (one CSV file with a header) or .parquet (a Parquet folder)
     */
    public record Options(int maxRows, String out) {
        public static final int DEFAULT_MAX_ROWS = 50;

        public Options {
            if (maxRows < 1) {
                throw new BadInputException("sql: the number of rows to print must be at least 1, got " + maxRows + ".");
            }
            if (out != null && !out.endsWith(".csv") && !out.endsWith(".parquet")) {
                throw new BadInputException("sql --out " + out + ": the output must end in .csv (one CSV file with a header) "
                        + "or .parquet (a Parquet folder).");
            }
        }

        public static Options print() {
            return new Options(DEFAULT_MAX_ROWS, null);
        }

        public Options withMaxRows(int rows) {
            return new Options(rows, out);
        }

        public Options withOut(String path) {
            return new Options(maxRows, path);
        }
    }

    /** Reads a query from a local file (for {@code --file}); throws BadInputException when unreadable or empty. */
    public static String readQueryFile(String file) {
        try {
            String q = Files.readString(java.nio.file.Path.of(file), StandardCharsets.UTF_8).strip();
            if (q.isEmpty()) {
                throw new BadInputException("SQL file " + file + " is empty. Put one SELECT query in it.");
            }
            return q; // a trailing semicolon (habit from SQL shells) is dropped by ReadOnlyStatement
        } catch (IOException e) {
            throw new BadInputException("Cannot read SQL file " + file + " (" + e.getMessage() + "). Give the path of a text file holding one query.", e);
        }
    }

    public static int run(SparkSession spark, List<String> runDirs, String query, Options options) {
        return run(spark, runDirs, query, options, System.out);
    }

    /**
     * Registers the views, checks that {@code query} is one read-only statement, runs it and prints
     * or writes the result; returns 0 (errors are thrown: BadInputException for a refused statement,
     * a query Spark cannot run, or a missing table).
     */
    public static int run(SparkSession spark, List<String> runDirs, String query, Options options, PrintStream console) {
        if (runDirs.isEmpty()) {
            throw new BadInputException("sql needs at least one run directory before the query.");
        }
        if (query == null || query.isBlank()) {
            throw new BadInputException("sql needs a query, e.g. \"SELECT variant, max(step) FROM curves GROUP BY variant\".");
        }
        RunViews views = RunViews.open(spark, runDirs.stream().map(d -> RunDirectory.open(spark, d)).toList());
        views.notes().forEach(n -> console.println("note: " + n));
        return execute(spark, views, query, options, console);
    }

    /**
     * Runs one statement over views already opened (the one-shot command and each statement of the
     * shell): checks it is read-only, defines the views it names, prints notes about views lacking
     * some runs, runs it and prints or writes the result; returns 0. Throws BadInputException for a
     * refused statement, a query Spark cannot run, or a missing table.
     */
    public static int execute(SparkSession spark, RunViews views, String query, Options options, PrintStream console) {
        Dataset<Row> result;
        try {
            ReadOnlyStatement statement = ReadOnlyStatement.of(spark, query);
            if (statement.kind().equals("query")) {
                views.ensure(statement.relations());
            } else {
                views.ensureAll(); // SHOW, DESCRIBE, EXPLAIN may name any view
            }
            views.partialViews(statement.relations()).forEach(n -> console.println("note: " + n));
            result = spark.sql(statement.text());
        } catch (AnalysisException ae) {
            // parse errors included; Spark's Scala code throws AnalysisException without declaring it
            throw new BadInputException("The SQL query cannot run: " + firstLine(ae) + missingTable(ae, views)
                    + "\nViews over the given runs (name(columns)):" + views.describe()
                    + "\nQuery a view above (metric tables appear after `analyze`).", ae);
        }
        if (options.out() == null) {
            print(result, options.maxRows(), console);
        } else if (options.out().endsWith(".csv")) {
            writeCsv(spark, result, options.out());
            console.println("wrote " + options.out());
        } else {
            result.write().mode(SaveMode.Overwrite).parquet(options.out());
            console.println("wrote " + options.out());
        }
        return 0;
    }

    /** For a query naming a bnscope table no run holds: which folders are missing or empty. */
    private static String missingTable(AnalysisException e, RunViews views) {
        if (!"TABLE_OR_VIEW_NOT_FOUND".equals(e.getErrorClass())) {
            return "";
        }
        String relation = e.getMessageParameters().getOrDefault("relationName", "");
        String name = relation.replace("`", "");
        name = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return views.whyMissing(name).map(w -> "\n" + w).orElse("");
    }

    private static String firstLine(AnalysisException e) {
        String m = e.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /**
     * Results up to this many rows are counted from the rows the printing job brings back, so a query
     * runs once; only a larger result runs a second job (count) to say how many rows it left out.
     */
    static final int COUNTED_IN_ONE_JOB = 10_000;

    static void print(Dataset<Row> result, int maxRows, PrintStream console) {
        int fetched = Math.max(maxRows, COUNTED_IN_ONE_JOB);
        List<Row> rows = result.limit(fetched + 1).collectAsList();
        TextTable table = TextTable.of(result.schema());
        rows.stream().limit(maxRows).forEach(table::add);
        console.print(table.render());
        if (rows.size() > maxRows) {
            long total = rows.size() <= fetched ? rows.size() : result.count();
            console.printf(Locale.ROOT, "(%,d rows; showing the first %,d, %,d omitted)%n", total, maxRows, total - maxRows);
        } else {
            console.printf(Locale.ROOT, "(%,d rows)%n", rows.size());
        }
    }

    /** Writes one CSV file with a header: Spark writes a one-part folder next to it, which is then renamed. */
    static void writeCsv(SparkSession spark, Dataset<Row> result, String out) {
        for (var f : result.schema().fields()) {
            if (!(f.dataType() instanceof org.apache.spark.sql.types.AtomicType)) {
                throw new BadInputException("sql --out " + out + ": column " + f.name() + " has type " + f.dataType().simpleString()
                        + ", which CSV cannot hold. Select scalar columns (e.g. size(g), to_json(sample)) or write .parquet.");
            }
        }
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Path tmp = new Path(target.getParent() == null ? new Path(".") : target.getParent(), "." + target.getName() + ".parts");
            result.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(tmp.toString());
            FileStatus[] parts = fs.globStatus(new Path(tmp, "part-*.csv"));
            if (parts == null || parts.length != 1) {
                throw new IllegalStateException("expected one CSV part file in " + tmp);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(parts[0].getPath(), target)) {
                throw new IOException("cannot rename " + parts[0].getPath() + " to " + target);
            }
            fs.delete(tmp, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }
}
