package bnscope.core.config;

import bnscope.core.BadInputException;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.File;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A validated run configuration: a HOCON file (conf/*.conf) plus {@code --set key=value} overrides
 * on top of the defaults in {@link ConfigKeys}. Every value is checked before any Spark work starts;
 * unknown keys and bad values raise {@link BadInputException} naming the key and where its value came
 * from ({@link #origin}). Code reads it through {@link RunSettings}, built once from it.
 *
 * <p>Values are held as plain Java objects so the configuration can be recorded in the manifest and
 * shipped to executors.
 */
public final class RunConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;
    private final Map<String, String> origins;
    private final String source;

    private RunConfig(Config merged, Function<String, String> originOf, String source) {
        this.origins = new LinkedHashMap<>();
        this.values = ConfigValidator.validate(merged, originOf, origins);
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
        Map<String, String> setBy = new HashMap<>();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("Override '" + override + "' is not of the form key=value. Example: --set train.steps=100.");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            ConfigValidator.requireKnown(key, "--set " + override);
            Config one;
            try {
                one = ConfigFactory.parseString("\"" + key.replace(".", "\".\"") + "\" = " + quoteIfBare(value));
            } catch (ConfigException e) {
                throw new BadInputException("Override --set " + override + " has a value that cannot be parsed ("
                        + e.getMessage() + "). Quote strings and write lists as [a, b].", e);
            }
            merged = one.withFallback(merged);
            setBy.put(key, "--set " + override); // a later --set of the same key wins, as in the merge
        }
        Config fromFile = fileConfig;
        String filePath = source;
        return new RunConfig(merged, k -> setBy.containsKey(k) ? setBy.get(k) : fileOrigin(fromFile, filePath, k), source);
    }

    /** "FILE, line N" for a key set in {@code file} (Typesafe records the line of every value it parses). */
    private static String fileOrigin(Config file, String path, String key) {
        if (!file.hasPath(key)) {
            return path; // an unknown parent object, e.g. "nope { a = 1 }": named by its full path already
        }
        int line = file.getValue(key).origin().lineNumber();
        return line > 0 ? path + ", line " + line : path;
    }

    /**
     * The configuration recorded in a run's manifest.json ({@link #asMap()} as JSON read back, so ints
     * where longs were written, etc.), validated again by this version's rules; {@code where} names the
     * manifest in messages. Keys this version has that the record lacks take their defaults
     * ({@link #origin} says so). Round trip: {@code fromRecorded(json(c.asMap())).asMap()} equals
     * {@code c.asMap()}.
     */
    public static RunConfig fromRecorded(Map<String, ?> recorded, String where) {
        Map<String, Object> filled = new HashMap<>(recorded);
        Map<String, String> why = new HashMap<>();
        ConfigKeys.VALUE_BEFORE_KEY_EXISTED.forEach((key, value) -> {
            if (filled.putIfAbsent(key, value) == null) {
                why.put(key, where + " (no " + key + " recorded: runs from before the key existed used " + value + ")");
            }
        });
        Config c;
        try {
            c = ConfigFactory.parseMap(filled, where);
        } catch (ConfigException e) {
            throw new BadInputException("The configuration recorded in " + where + " cannot be read (" + e.getMessage()
                    + "). It is the \"config\" section written when training starts; re-run the training.", e);
        }
        return new RunConfig(c, k -> why.getOrDefault(k, where), where);
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

    /**
     * Where {@code key}'s value came from: "FILE, line N", "--set key=value", "the default", or the
     * description given to {@link #fromRecorded} or {@link #with}.
     */
    public String origin(String key) {
        get(key);
        return origins.get(key);
    }

    /** All resolved values, sorted by key, for the manifest. */
    public Map<String, Object> asMap() {
        return new TreeMap<>(values);
    }

    /**
     * A copy with some values replaced (already-typed values), validated again; {@code origin} says
     * in messages who changed them (e.g. "the theory job's extended plan").
     */
    public RunConfig with(Map<String, ?> changes, String origin) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        for (Map.Entry<String, ?> e : changes.entrySet()) {
            ConfigValidator.requireKnown(e.getKey(), origin);
            merged.put(e.getKey(), e.getValue());
        }
        return new RunConfig(ConfigFactory.parseMap(merged), k -> changes.containsKey(k) ? origin : origins.get(k), source);
    }
}
