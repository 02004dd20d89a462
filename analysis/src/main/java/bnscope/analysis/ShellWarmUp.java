package bnscope.analysis;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the SQL shell runs in the background after its views are ready and until the user's first
 * statement: one small aggregate per view (grouped and sorted by run and variant, reading the
 * step column), and a self-join of {@code curves}. A fresh JVM plans and executes its first Spark
 * queries slowly (the planner, the code generator and the shuffle and sort paths run interpreted
 * until the JIT compiles them); on the default run this warm-up took 9.7 s on 2 cores and brought
 * the docs' queries from a median 0.54 s to 0.39 s (docs/queries.md). The queries are
 * generic (counts and maxima), not the user's; their results are discarded and nothing is printed.
 *
 * <p>The user goes first: {@link #stop} (called before the first statement) ends the warm-up; no
 * further warm-up query starts, and the one running (under a second on the default run) finishes
 * beside the user's statement rather than being cancelled, because a cancelled Spark job logs a
 * "Lost task ... TaskKilled" warning per task on the user's terminal. A warm-up query that fails is
 * skipped: the user's own statement reports any real problem.
 */
public final class ShellWarmUp implements Runnable {
    /** The Spark job group of the warm-up's queries. */
    public static final String JOB_GROUP = "bnscope-shell-warm-up";

    private final SparkSession spark;
    private final List<String> queries;
    private volatile boolean stopped;
    private volatile int completed;

    public ShellWarmUp(SparkSession spark, RunViews views) {
        this.spark = spark;
        this.queries = queries(views.views());
    }

    /** The warm-up's statements for these views (view name to its columns). */
    static List<String> queries(Map<String, List<String>> views) {
        List<String> out = new ArrayList<>();
        views.forEach((name, columns) -> {
            String keys = columns.contains("variant") ? "run, variant" : "run";
            String step = columns.contains("step") ? ", max(step) AS last_step" : "";
            out.add("SELECT " + keys + ", count(*) AS n" + step + " FROM " + name + " GROUP BY " + keys + " ORDER BY " + keys);
        });
        if (views.containsKey("curves")) {
            out.add("SELECT c.run, c.variant, count(*) AS n FROM curves c JOIN (SELECT run, variant, max(step) AS last FROM curves "
                    + "GROUP BY run, variant) m ON c.run = m.run AND c.variant = m.variant AND c.step = m.last "
                    + "GROUP BY c.run, c.variant ORDER BY c.run, c.variant");
        }
        return List.copyOf(out);
    }

    /** Runs the warm-up's queries one after another until the last, or until {@link #stop}. */
    @Override
    public void run() {
        SparkContext sc = spark.sparkContext();
        sc.setJobGroup(JOB_GROUP, "SQL shell warm-up (stops at the first statement)", false);
        try {
            for (String q : queries) {
                if (stopped) {
                    return;
                }
                try {
                    spark.sql(q).collectAsList();
                    completed++;
                } catch (Exception e) { // Spark's Scala code also throws undeclared checked exceptions
                    // a table the user's own statement will report on, or Spark stopping as the shell ends
                }
            }
        } finally {
            sc.clearJobGroup();
        }
    }

    /** Ends the warm-up: no further query starts (the running one finishes). */
    public void stop() {
        stopped = true;
    }

    /** How many warm-up queries ran to the end. */
    public int completed() {
        return completed;
    }

    /** How many there are. */
    public int size() {
        return queries.size();
    }
}
