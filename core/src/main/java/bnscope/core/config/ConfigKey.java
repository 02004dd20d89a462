package bnscope.core.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One documented configuration key: its type, default, meaning and the values it accepts.
 * {@link ConfigKeys} lists them all; docs/config.md and {@code --help} are generated from that list.
 *
 * @param name         dotted key, e.g. {@code train.learning_rate}
 * @param type         value type
 * @param defaultValue default (a String, Integer, Long, Double, Boolean or List), never null
 * @param doc          what the key controls, in the paper's terms
 * @param rule         the accepted values, described for error messages and docs (e.g. "> 0")
 * @param check        the test a value must pass (applied to list elements for list keys)
 */
public record ConfigKey(String name, Type type, Object defaultValue, String doc, String rule, Predicate<Object> check) {

    /** Value types a key can have. */
    public enum Type {
        STRING("string"), INT("int"), LONG("long"), DOUBLE("double"), BOOLEAN("boolean"),
        STRING_LIST("list of strings"), INT_LIST("list of ints"), LONG_LIST("list of longs"), DOUBLE_LIST("list of doubles");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public boolean isList() {
            return this == STRING_LIST || this == INT_LIST || this == LONG_LIST || this == DOUBLE_LIST;
        }
    }

    public ConfigKey {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultValue, name);
        Objects.requireNonNull(doc);
        rule = rule == null ? "" : rule;
        check = check == null ? v -> true : check;
    }

    /** True when {@code value} fails this key's rule (for list keys: when any element fails it). */
    public boolean rejects(Object value) {
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        return items.stream().anyMatch(item -> !check.test(item));
    }

    /**
     * What is wrong with this key's own default, or empty: a default of another Java type than
     * {@link #type()} would pass validation and fail later at the typed read, and one outside
     * {@link #rule()} would make the docs and every run built on defaults wrong.
     */
    public Optional<String> defaultProblem() {
        List<?> items = defaultValue instanceof List<?> list ? list : List.of(defaultValue);
        if (type.isList() != (defaultValue instanceof List<?>)) {
            return Optional.of(name + ": default " + defaultAsText() + " is " + (type.isList() ? "not " : "") + "a list, but the type is " + type.label());
        }
        Class<?> element = switch (type) {
            case STRING, STRING_LIST -> String.class;
            case INT, INT_LIST -> Integer.class;
            case LONG, LONG_LIST -> Long.class;
            case DOUBLE, DOUBLE_LIST -> Double.class;
            case BOOLEAN -> Boolean.class;
        };
        for (Object item : items) {
            if (!element.isInstance(item)) {
                return Optional.of(name + ": default element " + item + " is a " + item.getClass().getSimpleName()
                        + ", but the type is " + type.label());
            }
        }
        if (rejects(defaultValue)) {
            return Optional.of(name + ": default " + defaultAsText() + " fails its rule \"" + rule + "\"");
        }
        return Optional.empty();
    }

    /** The section a key belongs to (its first dotted component), used to group the docs. */
    public String section() {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The default rendered the way a config file would write it. */
    public String defaultAsText() {
        if (defaultValue instanceof List<?> list) {
            return list.stream().map(ConfigKey::render).reduce((a, b) -> a + ", " + b).map(s -> "[" + s + "]").orElse("[]");
        }
        return render(defaultValue);
    }

    private static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
