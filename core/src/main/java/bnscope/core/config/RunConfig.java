package bnscope.core.config;

import bnscope.core.BadInputException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;

import java.io.File;
import java.io.Serializable;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated run configuration: a HOCON file (conf/*.conf) plus {@code --set key=value} overrides
 * on top of the defaults in {@link ConfigKeys}. Every value is checked before any Spark work starts;
 * unknown keys and bad values raise {@link BadInputException} naming the key.
 *
 * <p>Values are held as plain Java objects so the configuration can be recorded in the manifest and
 * shipped to executors.
 */
public final class RunConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;
    private final String source;

    private RunConfig(Map<String, Object> values, String source) {
        this.values = values;
        this.source = source;
    }

    /** The defaults alone. */
    public static RunConfig defaults() {
        return load(null, List.of());
    }

    /**
     * Loads {@code file} (may be null for defaults only) and applies {@code overrides}, each
     * "key=value" in HOCON value syntax (lists as [a, b]).
     */
    public static RunConfig load(File file, List<String> overrides) {
        Config fileConfig = ConfigFactory.empty();
        String source = "defaults";
        if (file != null) {
            if (!file.isFile()) {
                throw new BadInputException("Config file " + file + " does not exist or is not a file. Pass the path of a "
                        + "HOCON file such as conf/default.conf (see docs/config.md for every key).");
            }
            try {
                fileConfig = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
            } catch (ConfigException e) {
                throw new BadInputException("Config file " + file + " is not valid HOCON: " + e.getMessage()
                        + ". Fix the syntax (see conf/default.conf for an example).", e);
            }
            source = file.getPath();
        }
        Config merged = fileConfig;
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("Override '" + override + "' is not of the form key=value. Example: --set train.steps=100.");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            requireKnown(key, "--set " + override);
            Config one;
            try {
                one = ConfigFactory.parseString("\"" + key.replace(".", "\".\"") + "\" = " + quoteIfBare(value));
            } catch (ConfigException e) {
                throw new BadInputException("Override --set " + override + " has a value that cannot be parsed ("
                        + e.getMessage() + "). Quote strings and write lists as [a, b].", e);
            }
            merged = one.withFallback(merged);
        }
        return new RunConfig(validate(merged, source), source);
    }

    private static String quoteIfBare(String value) {
        if (value.startsWith("[") || value.startsWith("\"") || value.startsWith("{")) {
            return value;
        }
        if (value.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || value.equals("true") || value.equals("false")) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void requireKnown(String key, String where) {
        if (ConfigKeys.byName(key) == null) {
            throw new BadInputException("Unknown config key '" + key + "' (in " + where + ")."
                    + closest(key).map(s -> " Did you mean '" + s + "'?").orElse("")
                    + " Run `./submit.sh --help` or see docs/config.md for the keys bnscope accepts.");
        }
    }

    private static java.util.Optional<String> closest(String key) {
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

    private static Map<String, Object> validate(Config config, String source) {
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            requireKnown(e.getKey(), source);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            Object value = config.hasPath(key.name()) ? read(config, key, source) : key.defaultValue();
            checkRule(key, value, source);
            values.put(key.name(), value);
        }
        crossCheck(values, source);
        return values;
    }

    private static Object read(Config config, ConfigKey key, String source) {
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
            throw new BadInputException("Config key '" + path + "' (from " + source + ") must be a " + key.type().label()
                    + (key.rule().isEmpty() ? "" : " (" + key.rule() + ")") + ", but is " + got + ". "
                    + key.doc() + " Default: " + key.defaultAsText() + ".", e);
        }
    }

    private static void checkRule(ConfigKey key, Object value, String source) {
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        for (Object item : items) {
            if (!key.check().test(item)) {
                throw new BadInputException("Config key '" + key.name() + "' (from " + source + ") has value "
                        + render(value) + ", but it must be " + key.rule() + ". " + key.doc()
                        + " Default: " + key.defaultAsText() + ".");
            }
        }
    }

    private static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static void crossCheck(Map<String, Object> v, String source) {
        int workers = (Integer) v.get("spark.workers");
        int batch = (Integer) v.get("train.batch_size");
        int freq = (Integer) v.get("spark.averaging_frequency");
        if (batch % workers != 0) {
            throw new BadInputException("train.batch_size (" + batch + ") must be divisible by spark.workers (" + workers
                    + ") so every worker gets the same minibatch size (from " + source + "). Change one of the two.");
        }
        for (String k : List.of("train.steps", "train.eval_every", "train.checkpoint_every")) {
            int n = (Integer) v.get(k);
            if (n % freq != 0) {
                throw new BadInputException(k + " (" + n + ") must be a multiple of spark.averaging_frequency (" + freq
                        + "): parameters are only averaged, evaluated and checkpointed between averaging splits (from "
                        + source + "). Round it to a multiple of " + freq + ".");
            }
        }
        List<?> variants = (List<?>) v.get("train.variants");
        if (variants.isEmpty()) {
            throw new BadInputException("train.variants is empty (from " + source + "); list at least one of "
                    + String.join(", ", ConfigKeys.VARIANT_NAMES.stream().sorted().toList()) + ".");
        }
        if (variants.stream().distinct().count() != variants.size()) {
            throw new BadInputException("train.variants lists a variant twice (" + variants + ", from " + source + ").");
        }
        if ("dln".equals(v.get("model.kind")) && variants.contains("noisy-batchnorm")) {
            throw new BadInputException("train.variants contains noisy-batchnorm, which is a VGG variant; the deep linear "
                    + "network (model.kind = dln) supports standard, batchnorm, l1, l2 and linf (from " + source + ").");
        }
        if ("dln".equals(v.get("model.kind")) && !v.get("train.batch_size").equals(v.get("dln.samples"))) {
            throw new BadInputException("train.batch_size (" + batch + ") must equal dln.samples (" + v.get("dln.samples")
                    + "): the deep linear network trains full-batch, as in the paper (from " + source + ").");
        }
        if ((Double) v.get("probe.landscape.min") > (Double) v.get("probe.landscape.max")) {
            throw new BadInputException("probe.landscape.min must not exceed probe.landscape.max (from " + source + ").");
        }
    }

    /** Where the values came from (a file path or "defaults"). */
    public String source() {
        return source;
    }

    public String getString(String key) {
        return (String) get(key);
    }

    public int getInt(String key) {
        return (Integer) get(key);
    }

    public long getLong(String key) {
        return (Long) get(key);
    }

    public double getDouble(String key) {
        return (Double) get(key);
    }

    public boolean getBoolean(String key) {
        return (Boolean) get(key);
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> getList(String key) {
        return (List<T>) get(key);
    }

    private Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("no config key " + key + " (add it to ConfigKeys)");
        }
        return values.get(key);
    }

    /** All resolved values, sorted by key, for the manifest. */
    public Map<String, Object> asMap() {
        return new TreeMap<>(values);
    }

    /** A copy with some values replaced (already-typed values; validated again). */
    public RunConfig with(Map<String, Object> changes) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            requireKnown(e.getKey(), "RunConfig.with");
            merged.put(e.getKey(), e.getValue());
        }
        Config c = ConfigFactory.parseMap(merged);
        return new RunConfig(validate(c, source + " + " + changes.keySet()), source);
    }
}
