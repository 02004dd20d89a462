package bnscope.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders {@link ConfigKeys} as docs/config.md and as the key list printed by {@code --help}. */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    private static final Map<String, String> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("run", "Run identity, output and seed");
        SECTIONS.put("data", "CIFAR-10 input");
        SECTIONS.put("model", "Network");
        SECTIONS.put("dln", "Deep linear network (model.kind = dln)");
        SECTIONS.put("train", "Training");
        SECTIONS.put("noise", "Noisy BatchNorm (the paper's Section 2.1)");
        SECTIONS.put("spark", "Spark parameter averaging");
        SECTIONS.put("probe", "Executor-side probes (docs/tables.md describes what they write)");
        SECTIONS.put("analysis", "Analysis jobs");
        SECTIONS.put("report", "Report");
    }

    /** The full Markdown reference (docs/config.md). */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration keys\n\n")
                .append("Generated from `bnscope.core.config.ConfigKeys` (a test fails when this file is stale; regenerate with\n")
                .append("`./submit.sh docs`). Config files are HOCON (`conf/*.conf`); any key can be overridden with\n")
                .append("`--set key=value` (lists as `--set train.variants=[standard,batchnorm]`). Unknown keys and invalid\n")
                .append("values are rejected before any Spark work starts; the message names where the value came from (the\n")
                .append("file and line, the `--set` flag, or the default). Code reads the keys once, into the typed records of\n")
                .append("`bnscope.core.config.RunSettings`.\n");
        for (Map.Entry<String, String> section : SECTIONS.entrySet()) {
            List<ConfigKey> keys = ConfigKeys.ALL.stream().filter(k -> k.section().equals(section.getKey())).toList();
            if (keys.isEmpty()) {
                continue;
            }
            md.append("\n## ").append(section.getKey()).append(": ").append(section.getValue()).append("\n\n")
                    .append("| key | type | default | accepted | meaning |\n|---|---|---|---|---|\n");
            for (ConfigKey k : keys) {
                md.append("| `").append(k.name()).append("` | ").append(k.type().label()).append(" | `")
                        .append(k.defaultAsText()).append("` | ").append(escape(k.rule())).append(" | ")
                        .append(escape(k.doc())).append(" |\n");
            }
        }
        return md.toString();
    }

    /** A compact plain-text list for {@code --help}. */
    public static String plainText() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey k : ConfigKeys.ALL) {
            sb.append(String.format("  %-32s %-15s default %s%n", k.name(), k.type().label(), k.defaultAsText()));
        }
        return sb.toString();
    }

    static {
        for (ConfigKey k : ConfigKeys.ALL) {
            if (!SECTIONS.containsKey(k.section())) {
                throw new IllegalStateException("config key " + k.name() + " has no documented section");
            }
        }
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
