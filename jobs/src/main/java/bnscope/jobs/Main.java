package bnscope.jobs;

import bnscope.core.runtime.NativeBackend;
import bnscope.jobs.cli.Cli;
import bnscope.jobs.cli.Failure;

import java.io.PrintStream;
import java.util.Map;

/**
 * The single entry point behind {@code ./submit.sh} and {@code spark-submit --class bnscope.jobs.Main}:
 * runs the picocli commands of {@link bnscope.jobs.cli}. Bad input ends with a one-paragraph message
 * and exit status 2, any other failure with a short message and status 1; never a bare stack trace
 * (set BNSCOPE_DEBUG=1 to see one). Every kind of bad input is listed in docs/errors.md.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.exit(status);
    }

    /** Runs a command; returns the process exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli cli = new Cli(out);
        try {
            NativeBackend.configure(); // inside the try: with the CUDA build it stops on an unsupported GPU (exit 2)
            return cli.execute(args);
        } catch (Exception | Error e) {
            // Exception, not RuntimeException: Spark's Scala code throws checked exceptions it does not declare
            Failure failure = Failure.of(cli, args, e);
            err.println(failure.message());
            if (System.getenv("BNSCOPE_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return failure.status();
        }
    }

    /** The generated documents, by path relative to the repository root. */
    public static Map<String, String> generatedDocs() {
        return new Cli(System.out).generatedDocs();
    }
}
