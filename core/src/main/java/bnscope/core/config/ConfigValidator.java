package bnscope.core.config;

import bnscope.core.BadInputException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a merged HOCON config against {@link ConfigKeys}: every key known, every value of its
 * type and within its rule, and the rules that tie keys together. Each error names the key and
 * where its value came from (a file and line, a {@code --set} flag, the default, a recorded
 * manifest), so the user knows which line to fix.
 */
final class ConfigValidator {
    private ConfigValidator() {
    }

    /** Where each key's value came from, for messages; {@link #DEFAULT} when no source set it. */
    static final String DEFAULT = "the default";

    /**
     * The typed value of every key. {@code originOf} names the source of a key that {@code config}
     * holds; {@code origins} receives the source of every key's value (the default included).
     */
    static Map<String, Object> validate(Config config, Function<String, String> originOf, Map<String, String> origins) {
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            requireKnown(e.getKey(), originOf.apply(e.getKey()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            boolean set = config.hasPath(key.name());
            String origin = set ? originOf.apply(key.name()) : DEFAULT;
            origins.put(key.name(), origin);
            Object value = set ? read(config, key, origin) : key.defaultValue();
            checkRule(key, value, origin);
            values.put(key.name(), value);
        }
        crossCheck(values, origins);
        return values;
    }

    static void requireKnown(String key, String where) {
        if (ConfigKeys.byName(key) == null) {
            throw new BadInputException("Unknown config key '" + key + "' (in " + where + ")."
                    + closest(key).map(s -> " Did you mean '" + s + "'?").orElse("")
                    + " Run `./submit.sh --help` or see docs/config.md for the keys bnscope accepts.");
        }
    }

    private static Optional<String> closest(String key) {
        return ConfigKeys.ALL.stream().map(ConfigKey::name)
                .min(Comparator.comparingInt(k -> editDistance(k, key)))
                .filter(k -> editDistance(k, key) <= Math.max(3, key.length() / 3));
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Object read(Config config, ConfigKey key, String origin) {
        String path = key.name();
        try {
            return switch (key.type()) {
                case STRING -> config.getString(path);
                case INT -> config.getInt(path);
                case LONG -> config.getLong(path);
                case DOUBLE -> config.getDouble(path);
                case BOOLEAN -> config.getBoolean(path);
                case STRING_LIST -> List.copyOf(config.getStringList(path));
                case INT_LIST -> List.copyOf(config.getIntList(path));
                case LONG_LIST -> List.copyOf(config.getLongList(path));
                case DOUBLE_LIST -> List.copyOf(config.getDoubleList(path));
            };
        } catch (ConfigException e) {
            String got = config.getValue(path).render(ConfigRenderOptions.concise());
            throw new BadInputException("Config key '" + path + "' (from " + origin + ") must be a " + key.type().label()
                    + (key.rule().isEmpty() ? "" : " (" + key.rule() + ")") + ", but is " + got + ". "
                    + key.doc() + " Default: " + key.defaultAsText() + ".", e);
        }
    }

    private static void checkRule(ConfigKey key, Object value, String origin) {
        if (key.rejects(value)) {
            throw new BadInputException("Config key '" + key.name() + "' (from " + origin + ") has value "
                    + render(value) + ", but it must be " + key.rule() + ". " + key.doc()
                    + " Default: " + key.defaultAsText() + ".");
        }
    }

    static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static void crossCheck(Map<String, Object> v, Map<String, String> origins) {
        Function<String, String> at = k -> k + " (" + render(v.get(k)) + ", from " + origins.get(k) + ")";
        int workers = (Integer) v.get("spark.workers");
        int batch = (Integer) v.get("train.batch_size");
        int freq = (Integer) v.get("spark.averaging_frequency");
        if (batch % workers != 0) {
            throw new BadInputException(at.apply("train.batch_size") + " must be divisible by " + at.apply("spark.workers")
                    + " so every worker gets the same minibatch size. Change one of the two.");
        }
        for (String k : List.of("train.steps", "train.eval_every", "train.checkpoint_every")) {
            int n = (Integer) v.get(k);
            if (n % freq != 0) {
                throw new BadInputException(at.apply(k) + " must be a multiple of " + at.apply("spark.averaging_frequency")
                        + ": parameters are only averaged, evaluated and checkpointed between averaging splits. "
                        + "Round it to a multiple of " + freq + ".");
            }
        }
        List<?> variants = (List<?>) v.get("train.variants");
        if (variants.isEmpty()) {
            throw new BadInputException("train.variants is empty (from " + origins.get("train.variants") + "); list at least one of "
                    + String.join(", ", ConfigKeys.VARIANT_NAMES.stream().sorted().toList()) + ".");
        }
        if (variants.stream().distinct().count() != variants.size()) {
            throw new BadInputException(at.apply("train.variants") + " lists a variant twice.");
        }
        if ("dln".equals(v.get("model.kind")) && variants.contains("noisy-batchnorm")) {
            throw new BadInputException(at.apply("train.variants") + " contains noisy-batchnorm, which is a VGG variant; the deep "
                    + "linear network (" + at.apply("model.kind") + ") supports standard, batchnorm, l1, l2 and linf.");
        }
        if ("dln".equals(v.get("model.kind")) && !v.get("train.batch_size").equals(v.get("dln.samples"))) {
            throw new BadInputException(at.apply("train.batch_size") + " must equal " + at.apply("dln.samples")
                    + ": the deep linear network trains full-batch, as in the paper.");
        }
        for (String k : List.of("train.learning_rates", "train.seeds")) {
            List<?> grid = (List<?>) v.get(k);
            if (grid.stream().distinct().count() != grid.size()) {
                throw new BadInputException(at.apply(k) + " lists a value twice; every grid cell must be distinct.");
            }
        }
        int cells = (Integer) v.get("train.parallel_cells");
        int legacy = (Integer) v.get("train.parallel_variants");
        if (cells > 0 && legacy > 0 && cells != legacy) {
            throw new BadInputException(at.apply("train.parallel_cells") + " and " + at.apply("train.parallel_variants")
                    + " disagree. train.parallel_variants is the deprecated name of train.parallel_cells; remove it.");
        }
        if ((Double) v.get("probe.landscape.min") > (Double) v.get("probe.landscape.max")) {
            throw new BadInputException(at.apply("probe.landscape.min") + " must not exceed " + at.apply("probe.landscape.max") + ".");
        }
    }
}
