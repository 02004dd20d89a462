package bnscope.analysis.report;

import bnscope.analysis.RunDirectory;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report takes from the run's manifest, read in one place ({@link #of}) so that the
 * manifest's format is known to one method of the report.
 *
 * @param name              the run's name (manifest run_id, else the directory's name)
 * @param path              the run directory
 * @param status            the manifest's status, or "unknown"
 * @param hasManifest       whether the run has a manifest.json at all
 * @param variants          the variants the manifest lists, in its order (empty when it lists none)
 * @param config            the resolved config recorded at training time, key -> value as text, in
 *                          the recorded order; empty when the manifest has none
 * @param reducedRankLosses the deep linear network's levels L_0..L_d (manifest data.reduced_rank_losses),
 *                          empty for other runs
 * @param unfinishedCells   the grid cells that did not finish training, as "ID (status, S steps done)"
 *                          ({@link RunDirectory#unfinishedCellNames}); empty when every cell finished
 */
public record RunInfo(String name, String path, String status, boolean hasManifest, List<String> variants,
                      Map<String, String> config, List<Double> reducedRankLosses, List<String> unfinishedCells) {
    /** The config key of the learning rate (the paper's read-offs are per learning rate). */
    public static final String LEARNING_RATE = "train.learning_rate";

    public RunInfo {
        variants = List.copyOf(variants);
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        reducedRankLosses = List.copyOf(reducedRankLosses);
        unfinishedCells = List.copyOf(unfinishedCells);
    }

    /** Every manifest read of the report. */
    public static RunInfo of(RunDirectory run) {
        JsonNode manifest = run.manifest();
        List<String> variants = new ArrayList<>();
        JsonNode v = manifest.path("variants");
        JsonNode cells = manifest.path("cells");
        if (cells.isObject() && cells.size() > 0) {
            // a grid: cell id -> record with its variant; each variant once, in training order
            cells.forEach(c -> {
                String name = c.path("variant").asText("");
                if (!name.isEmpty() && !variants.contains(name)) {
                    variants.add(name);
                }
            });
        } else if (v.isArray()) {
            v.forEach(n -> variants.add(n.asText()));
        } else if (v.isObject()) {
            // what TrainJob writes: variant name -> its state
            v.fieldNames().forEachRemaining(variants::add);
        }
        Map<String, String> config = new LinkedHashMap<>();
        flatten("", run.config(), config);
        List<Double> levels = new ArrayList<>();
        JsonNode l = manifest.path("data").path("reduced_rank_losses");
        if (l.isArray()) {
            l.forEach(n -> levels.add(n.asDouble()));
        }
        return new RunInfo(run.name(), run.path().toString(), run.status(), run.hasManifest(), variants, config, levels,
                run.unfinishedCellNames());
    }

    /**
     * The recorded config as dotted keys. TrainJob records the resolved values with dotted keys
     * already; a nested object (a hand-written manifest) gives the same keys.
     */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else {
            out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
        }
    }

    /** The recorded learning rate, or NaN when the config does not record one (or not as a number). */
    public double learningRate() {
        String lr = config.getOrDefault(LEARNING_RATE, "");
        return lr.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?") ? Double.parseDouble(lr) : Double.NaN;
    }
}
