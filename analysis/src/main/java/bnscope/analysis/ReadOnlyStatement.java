package bnscope.analysis;

import bnscope.core.BadInputException;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedHaving;
import org.apache.spark.sql.catalyst.analysis.UnresolvedInlineTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedSubqueryColumnAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTVFAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.SqlBaseLexer;
import org.apache.spark.sql.catalyst.parser.UpperCaseCharStream;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.*;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.ListFilesCommand;
import org.apache.spark.sql.execution.command.ListJarsCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.command.ShowCatalogsCommand;
import org.apache.spark.sql.execution.command.ShowCurrentNamespaceCommand;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one statement an {@code sql} call runs, checked to be read-only: {@code sql} exists for
 * analysts to query runs, and a statement such as {@code INSERT OVERWRITE DIRECTORY 'RUN/curves'}
 * would otherwise replace a run's table in place.
 *
 * <p>The decision is made on the plan Spark's own parser builds
 * ({@code spark.sessionState().sqlParser().parsePlan}), not on keywords, so comments, quoting,
 * CTEs and sub-queries cannot hide a statement. It is an <b>allow-list</b> of plan kinds known to be
 * read-only, not a deny-list of writing ones, because the set of writing plans is open-ended and
 * grows with every Spark release (V2 writes, MERGE, new DDL) and even the query grammar holds nodes
 * with side effects ({@code SELECT TRANSFORM(..) USING 'shell command'} runs a process): anything
 * Spark adds is refused until someone checks it and lists it here. Allowed are:
 * <ul>
 *   <li>queries (SELECT, WITH ... SELECT, VALUES, TABLE, set operations), every node of the tree,
 *       CTE bodies and sub-queries included, being a relational operator of {@link #QUERY_NODES};
 *       and no call of {@code reflect}/{@code java_method}/{@code try_reflect}, which invoke any
 *       static Java method by name (one of them is {@code System.exit});</li>
 *   <li>SHOW ..., DESCRIBE ..., LIST JARS/FILES ({@link #READ_ONLY_COMMANDS});</li>
 *   <li>EXPLAIN and DESCRIBE QUERY of a statement that is itself allowed;</li>
 *   <li>SET, SET -v and SET key, which read settings. SET key=value (of spark.master as much as of a harmless
 *       spark.sql.* key) is refused: {@code sql} runs one statement per call, so a setting could
 *       reach no query, and a session setting is not an analysis.</li>
 * </ul>
 * Text with several statements separated by {@code ;} is refused whatever they are (one statement
 * per call); the split uses Spark's own SQL lexer, so a {@code ;} inside a string or a comment does
 * not count, and trailing semicolons are allowed.
 */
public final class ReadOnlyStatement {
    /** Relational operators the parser builds for a query; none writes, caches or runs anything. */
    static final Set<Class<?>> QUERY_NODES = Set.of(
            Project.class, Filter.class, Aggregate.class, UnresolvedHaving.class, Sort.class, Distinct.class,
            GlobalLimit.class, LocalLimit.class, Offset.class, Sample.class,
            Join.class, LateralJoin.class, Union.class, Intersect.class, Except.class,
            SubqueryAlias.class, UnresolvedSubqueryColumnAliases.class, UnresolvedWith.class, WithWindowDefinition.class,
            Generate.class, Pivot.class, Unpivot.class, RepartitionByExpression.class, UnresolvedHint.class,
            OneRowRelation.class, UnresolvedRelation.class, UnresolvedInlineTable.class,
            UnresolvedTableValuedFunction.class, UnresolvedTVFAliases.class);

    /** Statements that only print catalog or session information. */
    static final Set<Class<?>> READ_ONLY_COMMANDS = Set.of(
            ShowTables.class, ShowTableExtended.class, ShowViews.class, ShowColumns.class, ShowFunctions.class,
            ShowNamespaces.class, ShowCreateTable.class, ShowTableProperties.class, ShowPartitions.class,
            ShowCurrentNamespaceCommand.class, ShowCatalogsCommand.class,
            DescribeRelation.class, DescribeColumn.class, DescribeFunction.class, DescribeNamespace.class,
            ListJarsCommand.class, ListFilesCommand.class);

    /** Built-in functions that call Java methods by name: a query using them can do anything. */
    static final Set<String> JAVA_CALLS = Set.of("reflect", "java_method", "try_reflect");

    /** SQL words for plan kinds whose class name does not read as the statement that makes them. */
    private static final Map<String, String> KIND_NAMES = Map.ofEntries(
            Map.entry("InsertIntoDir", "INSERT OVERWRITE DIRECTORY"),
            Map.entry("InsertIntoStatement", "INSERT INTO/OVERWRITE TABLE"),
            Map.entry("CreateTableAsSelect", "CREATE TABLE ... AS SELECT"),
            Map.entry("CreateViewCommand", "CREATE TEMPORARY VIEW"),
            Map.entry("CacheTableAsSelect", "CACHE TABLE ... AS SELECT"),
            Map.entry("RenameTable", "ALTER TABLE ... RENAME"),
            Map.entry("AddJarsCommand", "ADD JAR"),
            Map.entry("AddFilesCommand", "ADD FILE"),
            Map.entry("AddArchivesCommand", "ADD ARCHIVE"),
            Map.entry("CreateFunctionCommand", "CREATE TEMPORARY FUNCTION"),
            Map.entry("RefreshResource", "REFRESH path"),
            Map.entry("RepairTable", "MSCK REPAIR TABLE"),
            Map.entry("SetCatalogAndNamespace", "USE"),
            Map.entry("SetCommand", "SET key=value"),
            Map.entry("ResetCommand", "RESET"),
            Map.entry("ClearCacheCommand", "CLEAR CACHE"),
            Map.entry("DeleteFromTable", "DELETE FROM"),
            Map.entry("UpdateTable", "UPDATE"),
            Map.entry("MergeIntoTable", "MERGE INTO"),
            Map.entry("ScriptTransformation", "SELECT TRANSFORM ... USING (runs a shell command)"),
            Map.entry("PlanWithUnresolvedIdentifier", "IDENTIFIER(...) clause"),
            Map.entry("AnalyzeTable", "ANALYZE TABLE"));

    private static final String WHAT_SQL_RUNS = "`sql` is read-only: it runs one query (SELECT, WITH ... SELECT, VALUES, TABLE), "
            + "EXPLAIN, SHOW, DESCRIBE, LIST or SET key (reading a setting) per call. To save a result, run the query alone with "
            + "--out FILE.csv or FILE.parquet (outside the run directories); to name a sub-query, use WITH name AS (SELECT ...) "
            + "SELECT ...; a run's tables are written only by `train` and `analyze`.";

    private final String text;
    private final String kind;
    private final Set<String> relations;

    private ReadOnlyStatement(String text, String kind, Set<String> relations) {
        this.text = text;
        this.kind = kind;
        this.relations = relations;
    }

    /**
     * Parses {@code sql} with the session's parser and returns it when it is one read-only
     * statement. Throws BadInputException naming the statement kind when it is not, and Spark's
     * ParseException (an AnalysisException) when it does not parse.
     */
    public static ReadOnlyStatement of(SparkSession spark, String sql) throws ParseException {
        List<String> statements = split(sql);
        if (statements.isEmpty()) {
            throw new BadInputException("sql needs a query, e.g. \"SELECT variant, max(step) FROM curves GROUP BY variant\".");
        }
        if (statements.size() > 1) {
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < statements.size(); i++) {
                kinds.add((i + 1) + ": " + describe(spark, statements.get(i)));
            }
            throw new BadInputException("The query holds " + statements.size() + " statements separated by ';' ("
                    + String.join("; ", kinds) + "). " + WHAT_SQL_RUNS + " Run the statements one per call.");
        }
        String text = statements.get(0);
        LogicalPlan plan = spark.sessionState().sqlParser().parsePlan(text);
        Verdict v = check(plan);
        if (v.refusal != null) {
            throw new BadInputException("The statement is " + v.refusal + ", not one of the read-only statements `sql` "
                    + "runs. " + WHAT_SQL_RUNS);
        }
        return new ReadOnlyStatement(text, v.kind, v.relations);
    }

    /** The statement to run: the query text without surrounding semicolons. */
    public String text() {
        return text;
    }

    /** "query", "EXPLAIN", "SET", or the Spark plan name of a SHOW/DESCRIBE/LIST statement. */
    public String kind() {
        return kind;
    }

    /** Lower-case last names of the relations a query reads (CTE names included): for notes about views. */
    public Set<String> relations() {
        return relations;
    }

    /** Result of checking a plan: refusal null when allowed. */
    private record Verdict(String kind, String refusal, Set<String> relations) {
        static Verdict allowed(String kind) {
            return new Verdict(kind, null, Set.of());
        }

        static Verdict refused(String why) {
            return new Verdict(null, why, Set.of());
        }
    }

    private static Verdict check(LogicalPlan plan) {
        if (plan instanceof ExplainCommand e) {
            Verdict inner = check(e.logicalPlan());
            return inner.refusal == null ? Verdict.allowed("EXPLAIN") : Verdict.refused("EXPLAIN of " + inner.refusal);
        }
        if (plan instanceof DescribeQueryCommand d) {
            Verdict inner = check(d.plan());
            return inner.refusal == null ? Verdict.allowed("DESCRIBE QUERY") : Verdict.refused("DESCRIBE QUERY of " + inner.refusal);
        }
        if (plan instanceof SetCommand s) {
            // kv: None for SET, (key, None) for SET key and SET -v, (key, Some(value)) for SET key=value
            if (s.kv().isEmpty() || s.kv().get()._2().isEmpty()) {
                return Verdict.allowed("SET");
            }
            return Verdict.refused("SET " + s.kv().get()._1() + "=" + s.kv().get()._2().get() + " (SET key=value, Spark plan "
                    + "SetCommand; sql runs one statement per call, so a setting would reach no query)");
        }
        if (READ_ONLY_COMMANDS.contains(plan.getClass())) {
            return Verdict.allowed(plan.nodeName());
        }
        Set<String> relations = new LinkedHashSet<>();
        String refusal = checkQuery(plan, relations);
        return refusal == null ? new Verdict("query", null, Set.copyOf(relations)) : Verdict.refused(refusal);
    }

    /** Walks every node of a query (children, CTE bodies, sub-queries); returns the first refusal or null. */
    private static String checkQuery(QueryPlan<?> node, Set<String> relations) {
        if (!QUERY_NODES.contains(node.getClass())) {
            return kindName(node);
        }
        if (node instanceof UnresolvedRelation r) {
            relations.add(r.multipartIdentifier().last().toLowerCase(Locale.ROOT));
        }
        List<QueryPlan<?>> inner = new ArrayList<>();
        node.children().foreach(c -> inner.add((QueryPlan<?>) c));
        node.innerChildren().foreach(inner::add); // UnresolvedWith holds its CTE bodies here
        for (QueryPlan<?> c : inner) {
            String r = checkQuery(c, relations);
            if (r != null) {
                return r;
            }
        }
        List<Expression> expressions = new ArrayList<>();
        node.expressions().foreach(expressions::add);
        for (Expression e : expressions) {
            String r = checkExpression(e, relations);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static String checkExpression(Expression e, Set<String> relations) {
        if (e instanceof UnresolvedFunction f && JAVA_CALLS.contains(f.nameParts().last().toLowerCase(Locale.ROOT))) {
            return "a query calling " + f.nameParts().last() + "(...), which runs any Java method by name";
        }
        if (e instanceof SubqueryExpression s) {
            String r = checkQuery(s.plan(), relations);
            if (r != null) {
                return r;
            }
        }
        List<Expression> children = new ArrayList<>();
        e.children().foreach(children::add);
        for (Expression c : children) {
            String r = checkExpression(c, relations);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** "DROP TABLE (Spark plan DropTable)": SQL words from the plan's class name. */
    static String kindName(QueryPlan<?> node) {
        String name = node.getClass().getSimpleName().replace("$", "");
        String words = KIND_NAMES.get(name);
        if (words == null) {
            words = name.replaceAll("(Command|Statement)$", "").replaceAll("([a-z0-9])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
        }
        return words + " (Spark plan " + name + ")";
    }

    /** One statement's kind for the several-statements message; never throws. */
    private static String describe(SparkSession spark, String statement) {
        try {
            Verdict v = check(spark.sessionState().sqlParser().parsePlan(statement));
            return v.refusal == null ? v.kind : v.refusal;
        } catch (ParseException e) {
            return "does not parse";
        }
    }

    /**
     * Whether SQL text ends a statement: its last token (comments and blanks aside) is a {@code ;}
     * of Spark's lexer, so not one inside a string, a quoted name or a comment, and no quote is
     * left open (the lexer makes an unclosed quote a lone unrecognized character and goes on). The
     * shell reads lines until this holds.
     */
    static boolean endsStatement(String sql) {
        SqlBaseLexer lexer = new SqlBaseLexer(new UpperCaseCharStream(CharStreams.fromString(sql)));
        lexer.removeErrorListeners();
        int last = -1;
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            if (t.getType() == SqlBaseLexer.UNRECOGNIZED && "'\"`".indexOf(t.getText().charAt(0)) >= 0) {
                return false;
            }
            if (t.getChannel() == Token.DEFAULT_CHANNEL) {
                last = t.getType();
            }
        }
        return last == SqlBaseLexer.SEMICOLON;
    }

    /**
     * Splits SQL text into statements at the {@code ;} tokens of Spark's own lexer (so not inside
     * strings, quoted names or comments), dropping empty ones (only blanks or comments).
     */
    static List<String> split(String sql) {
        CodePointCharStream chars = CharStreams.fromString(sql);
        SqlBaseLexer lexer = new SqlBaseLexer(new UpperCaseCharStream(chars));
        lexer.removeErrorListeners(); // lexing errors are the parser's to report, with its message
        List<String> statements = new ArrayList<>();
        int start = 0;
        boolean content = false;
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            if (t.getType() == SqlBaseLexer.SEMICOLON) {
                if (content) {
                    statements.add(chars.getText(Interval.of(start, t.getStartIndex() - 1)).strip());
                }
                start = t.getStopIndex() + 1;
                content = false;
            } else if (t.getChannel() == Token.DEFAULT_CHANNEL) {
                content = true;
            }
        }
        if (content) {
            statements.add(chars.getText(Interval.of(start, chars.size() - 1)).strip());
        }
        return statements;
    }
}
