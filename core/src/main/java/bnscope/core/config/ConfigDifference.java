package bnscope.core.config;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How two resolved configurations differ, key by key ({@link RunConfig#diff}): e.g. the config a
 * run recorded in its manifest against the one a {@code --resume} resolves now.
 *
 * @param changes the differing keys in {@link ConfigKeys} order
 */
public record ConfigDifference(List<Change> changes) {

    /**
     * One key whose value differs.
     *
     * @param key      config key
     * @param recorded value in the recorded (older) config
     * @param current  value in the new config
     */
    public record Change(String key, Object recorded, Object current) {
        /** "key: recorded -> current", values as a config file writes them. */
        public String describe() {
            return key + ": " + ConfigValidator.render(recorded) + " -> " + ConfigValidator.render(current);
        }
    }

    public ConfigDifference {
        changes = List.copyOf(changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** The differing keys. */
    public Set<String> keys() {
        return changes.stream().map(Change::key).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    /** This difference without the keys in {@code allowed} (e.g. those a resume may change). */
    public ConfigDifference except(Set<String> allowed) {
        return new ConfigDifference(changes.stream().filter(c -> !allowed.contains(c.key())).toList());
    }

    /** One "key: recorded -> current" per change, joined by "; ". */
    public String describe() {
        return changes.stream().map(Change::describe).collect(Collectors.joining("; "));
    }
}
