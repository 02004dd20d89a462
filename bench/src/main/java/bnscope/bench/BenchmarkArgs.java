package bnscope.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} options of a benchmark main, with defaults. */
final class BenchmarkArgs {
    private final Map<String, String> values = new HashMap<>();

    BenchmarkArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    int getInt(String name, int def) {
        return Integer.parseInt(get(name, Integer.toString(def)));
    }

    List<String> getList(String name, String def) {
        return List.of(get(name, def).split(","));
    }
}
