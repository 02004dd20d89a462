package bnscope.core.run;

import bnscope.core.BadInputException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which config changes {@code train --resume} accepts (docs/run-directory.md). A resumed run must
 * produce the tables its manifest describes, so any key that changes what is trained or recorded
 * must keep its value; only these may differ:
 * <ul>
 * <li>where things are: {@code run.output_dir}, {@code run.dir}, {@code run.overwrite}, {@code data.dir},
 *     {@code data.cache_dir} (the data itself is checked against the manifest's record by the data
 *     statistics),</li>
 * <li>scheduling: {@code train.parallel_cells} and its deprecated name {@code train.parallel_variants}
 *     (grid cells are independent),</li>
 * <li>analysis choices read later: {@code analysis.smoothing_window}, {@code report.layers},</li>
 * <li>{@code train.steps} growing: training continues from the last checkpoint to the new end (the
 *     minibatch order of a step does not depend on the planned length); shrinking is refused.</li>
 * </ul>
 * The Spark master (not a config key) may change too. Keys missing from an older manifest are not
 * compared (the run did not have them, so nothing recorded can contradict them). The comparison is
 * over the resolved value maps as the manifest records them ({@code RunConfig.asMap()} through
 * JSON): this is the one place bnscope compares two configs.
 */
public final class ResumePolicy {
    public static final Set<String> MAY_CHANGE = Set.of("run.output_dir", "run.dir", "run.overwrite", "data.dir",
            "data.cache_dir", "train.parallel_cells", "train.parallel_variants", "analysis.smoothing_window", "report.layers");
    public static final String STEPS = "train.steps";

    private ResumePolicy() {
    }

    /** The keys whose value differs between the recorded and the new resolved config (both as JSON values). */
    public static Map<String, Manifest.Change> changes(Map<String, Object> recorded, Map<String, Object> now) {
        Map<String, Manifest.Change> changed = new LinkedHashMap<>();
        Set<String> keys = new TreeSet<>(now.keySet());
        for (String key : keys) {
            if (!recorded.containsKey(key)) {
                continue; // written by an older bnscope that had no such key
            }
            if (!Objects.equals(recorded.get(key), now.get(key))) {
                changed.put(key, new Manifest.Change(recorded.get(key), now.get(key)));
            }
        }
        return changed;
    }

    /**
     * The changes a resume of {@code manifestPath}'s run would make; BadInputException listing every
     * refused key with both values.
     */
    public static Map<String, Manifest.Change> check(String manifestPath, Map<String, Object> recorded, Map<String, Object> now) {
        Map<String, Manifest.Change> changed = changes(recorded, now);
        StringBuilder refused = new StringBuilder();
        for (Map.Entry<String, Manifest.Change> e : changed.entrySet()) {
            if (MAY_CHANGE.contains(e.getKey()) || (STEPS.equals(e.getKey()) && grows(e.getValue()))) {
                continue;
            }
            refused.append(refused.isEmpty() ? "" : "; ").append(e.getKey()).append(" was ").append(e.getValue().from())
                    .append(", now ").append(e.getValue().to());
        }
        if (!refused.isEmpty()) {
            throw new BadInputException("--resume would continue the run recorded in " + manifestPath + " with a different "
                    + "config: " + refused + ". Its tables were computed with the recorded values; resume with the same "
                    + "config (only " + new TreeSet<>(MAY_CHANGE) + " may differ, and " + STEPS + " may grow), or start a "
                    + "new run (another --set run.name=NAME).");
        }
        return changed;
    }

    private static boolean grows(Manifest.Change c) {
        return c.from() instanceof Number a && c.to() instanceof Number b && b.longValue() > a.longValue();
    }
}
