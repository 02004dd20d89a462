package bnscope.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exit status, stdout and stderr of one {@link Main#run} call, which the command-line tests assert on;
 * and the tiny real training run (batchnorm only, the repository's CIFAR-10 sample) several of them
 * start from, so its settings are written once.
 */
record MainOutcome(int status, String out, String err) {

    /** Runs {@code bnscope args} in this JVM and captures what it printed. */
    static MainOutcome of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new MainOutcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The repository root (the build passes it as a system property). */
    static Path repo() {
        return Path.of(System.getProperty("bnscope.repo.root"));
    }

    /**
     * {@code train} of conf/default.conf into {@code runDir}: batchnorm only, {@code steps} steps, checkpoints and
     * evaluations every 5 steps, batch 32, 200 test images of data/cifar10-mini, then {@code extra} {@code --set} overrides.
     */
    static MainOutcome trainTiny(Path runDir, int steps, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", repo().resolve("conf/default.conf").toString(), "--run-dir",
                runDir.toString(), "--set", "train.variants=[batchnorm]", "--set", "train.steps=" + steps,
                "--set", "train.checkpoint_every=5", "--set", "train.eval_every=5", "--set", "train.batch_size=32",
                "--set", "data.test_examples=200", "--set", "data.dir=" + repo().resolve("data/cifar10-mini")));
        for (String override : extra) {
            args.add("--set");
            args.add(override);
        }
        return of(args.toArray(String[]::new));
    }
}
