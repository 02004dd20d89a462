package bnscope.jobs.cli;

import picocli.CommandLine.Mixin;

/**
 * The options of a command that adds tables or a report to an existing run with Spark (analyze, report):
 * {@code --break-lock} for the run's writer lock, then {@code --master}. One mixin, so both commands
 * declare, order and read them alike.
 */
final class RunWriterOptions {
    @Mixin
    BreakLockOption lock;
    @Mixin
    MasterOption master;
}
