package bnscope.core.probes;

import bnscope.core.BadInputException;

import java.io.Serializable;
import java.util.List;

/**
 * When a probe runs: every {@code every} steps (0 = never; step 0 included) plus an explicit list
 * of steps.
 *
 * @param every period in global steps, 0 for none
 * @param steps extra global steps
 */
public record ProbeSchedule(long every, List<Long> steps) implements Serializable {

    public ProbeSchedule {
        steps = List.copyOf(steps);
    }

    /** Checks the values; {@code prefix} is the config prefix named in the message, e.g. "probe.ics". */
    public ProbeSchedule checked(String prefix) {
        if (every < 0) {
            throw new BadInputException(prefix + ".every must be 0 (never) or a positive number of steps, got " + every
                    + ". Set it to 0 or a positive integer.");
        }
        for (long s : steps) {
            if (s < 0) {
                throw new BadInputException(prefix + ".steps must list non-negative global step numbers, got " + s
                        + ". Remove the negative entry.");
            }
        }
        return this;
    }

    public static ProbeSchedule never() {
        return new ProbeSchedule(0, List.of());
    }

    public static ProbeSchedule every(long every) {
        return new ProbeSchedule(every, List.of());
    }

    public boolean due(long step) {
        return (every > 0 && step % every == 0) || steps.contains(step);
    }
}
