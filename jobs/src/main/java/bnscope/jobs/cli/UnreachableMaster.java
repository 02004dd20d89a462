package bnscope.jobs.cli;

import java.util.Optional;

/**
 * Recognizes a Spark standalone master that stopped answering after {@link SparkMaster}'s check
 * passed (or that accepts connections but is no Spark master): Spark gives up registering and
 * stops its context, and what surfaces is "LiveListenerBus is stopped" or "All masters are
 * unresponsive". Names the master and what to check instead.
 */
final class UnreachableMaster {
    private static final String[] SYMPTOMS = {"All masters are unresponsive", "LiveListenerBus is stopped",
            "Master removed our application", "Cannot call methods on a stopped SparkContext"};

    private UnreachableMaster() {
    }

    static Optional<String> describe(String master, Throwable e) {
        if (master == null || !master.startsWith("spark://")) {
            return Optional.empty();
        }
        for (Throwable t : Failure.chain(e)) {
            String m = String.valueOf(t.getMessage());
            for (String symptom : SYMPTOMS) {
                if (m.contains(symptom)) {
                    return Optional.of("The Spark master " + master + " did not take the application (Spark: \"" + symptom
                            + "\"): all masters were unresponsive, or the master removed the application (no workers with "
                            + "enough free cores and memory, or a version mismatch). Check the master's web UI (port 8080) "
                            + "for alive workers, that HOST:PORT is the spark:// URL it shows, and that the master runs Spark "
                            + "3.5; or leave out --master to run on an embedded local Spark.");
                }
            }
        }
        return Optional.empty();
    }
}
