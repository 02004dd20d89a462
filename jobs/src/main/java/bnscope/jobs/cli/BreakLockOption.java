package bnscope.jobs.cli;

import picocli.CommandLine.Option;

/** {@code --break-lock}, shared by the commands that take a run's writer lock (train, analyze, report, theory). */
final class BreakLockOption {
    @Option(names = "--break-lock", description = "Take over the run's lock from a writer that is gone (stale: pid dead or no "
            + "heartbeat for 120 s); a live writer's lock is never broken. See docs/run-directory.md.")
    boolean breakLock;
}
