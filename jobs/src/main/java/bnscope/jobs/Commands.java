package bnscope.jobs;

import java.util.List;

/**
 * The commands of {@code ./submit.sh}, with the usage text that {@code --help} prints and
 * docs/cli.md is generated from (a test keeps the two equal).
 */
public final class Commands {
    private Commands() {
    }

    /** One command: name, argument synopsis, and what it does. */
    public record Command(String name, String synopsis, String description) {
    }

    public static final List<Command> ALL = List.of(
            new Command("run", "[CONF] [--set key=value]... [--master URL]",
                    "The main job: train every variant of CONF (default conf/default.conf), compute the metric tables and "
                            + "write the report; prints where the report is. This is what `./submit.sh` with no arguments does."),
            new Command("train", "CONF [--set key=value]... [--resume] [--run-dir DIR] [--break-lock] [--master URL]",
                    "Train the variants of CONF with DL4J parameter averaging on Spark, recording per-step metrics and the "
                            + "probe tables into the run directory (run.output_dir/run.name unless --run-dir). --resume continues "
                            + "a stopped run from its last checkpoint without duplicating rows (the config must match the recorded one; "
                            + "train.steps may grow). --break-lock takes over the lock of a writer that is gone (docs/run-directory.md)."),
            new Command("analyze", "RUN_DIR... [--break-lock] [--master URL]",
                    "Compute the metric tables (ics_metrics, moments, landscape_metrics, curves) of each run with Spark SQL."),
            new Command("report", "RUN_DIR [--break-lock] [--master URL]",
                    "Write RUN_DIR/report/index.html and PNG figures reproducing the paper's Fig. 1-4 and 8, our numbers beside the paper's."),
            new Command("sql", "(QUERY | -f FILE) --runs RUN_DIR... [--out FILE.csv|FILE.parquet] [--max-rows N]",
                    "Run Spark SQL over the runs' snapshot and metric tables, each a view with a `run` column; print an "
                            + "aligned table or write CSV/Parquet. Examples in docs/queries.md."),
            new Command("compare", "RUN_A RUN_B [--tolerance X]",
                    "Compare the metric tables of two runs over matching keys: max absolute and relative difference per "
                            + "column, keys in one run only. Exits 1 past the tolerance (default 1e-6 relative): the check a "
                            + "reproducibility pipeline runs after a re-run."),
            new Command("theory", "RUN_DIR [--steps S,...] [--units N] [--hessian-units N] [--hessian-step X] [--break-lock] [--master URL]",
                    "Check the paper's BatchNorm theory (Fact C.1, Theorem 4.1 exact and as printed, Theorem 4.2) on every "
                            + "checkpoint of the run's BatchNorm variants (--steps: only these), with the minibatches the run "
                            + "trained on, in double precision on the driver; writes the theory_checks table and prints the "
                            + "error distribution. --units: first N units of each BatchNorm layer (default 4; layers of <= 16 "
                            + "units in full); --hessian-units: how many of them get Theorem 4.2 (default 2); --hessian-step: "
                            + "its relative finite-difference step (default 1e-5). See docs/theory.md."),
            new Command("docs", "[--check]",
                    "Regenerate docs/config.md, docs/tables.md and docs/cli.md from the code (--check: only verify)."),
            new Command("help", "[COMMAND]", "Print this help, or one command's."));

    public static Command byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    /** The text of {@code --help}. */
    public static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("bnscope: reproduce \"How Does Batch Normalization Help Optimization?\" with DL4J on Spark.\n\n")
                .append("Usage: ./submit.sh [COMMAND] [ARGS]      (no command: run conf/default.conf end to end)\n\n")
                .append("Commands:\n");
        for (Command c : ALL) {
            sb.append("  ").append(c.name()).append(' ').append(c.synopsis()).append('\n')
                    .append(wrap(c.description(), "      ")).append('\n');
        }
        sb.append("\nCluster: --master spark://HOST:7077 (or SPARK_HOME with spark-submit) sends the job to a cluster;\n")
                .append("without it an embedded local Spark runs in this JVM. Config keys (docs/config.md):\n");
        return sb.toString();
    }

    private static String wrap(String text, String indent) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() > 100 && line.length() > indent.length()) {
                out.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(word).append(' ');
        }
        return out.append(line.toString().stripTrailing()).toString();
    }

    /** docs/cli.md. */
    public static String markdown() {
        StringBuilder md = new StringBuilder("# Command line\n\nGenerated from `bnscope.jobs.Commands` (a test fails when it is stale;\n"
                + "regenerate with `./submit.sh docs`). Every command is run as `./submit.sh COMMAND ...`; `--help` prints the same.\n"
                + "Bad input (unknown keys or options, missing or corrupt files, unreadable tables) ends with a one-paragraph\n"
                + "message and exit status 2; a failure during the work ends with status 1.\n");
        for (Command c : ALL) {
            md.append("\n## `").append(c.name()).append("`\n\n```\n./submit.sh ").append(c.name()).append(' ')
                    .append(c.synopsis()).append("\n```\n\n").append(c.description()).append('\n');
        }
        return md.toString();
    }
}
