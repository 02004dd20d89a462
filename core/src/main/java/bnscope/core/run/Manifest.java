package bnscope.core.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of a run's {@code manifest.json} (docs/run-directory.md): what was run (resolved
 * config, seeds, data, versions, build commit), who last wrote it, how it ended, per-variant results
 * and every resume. Read and written only by {@link ManifestFile}.
 *
 * <p>Tolerant of other bnscope versions: every field may be missing (null), and fields this version
 * does not know are kept ({@link Extensible#other}) and written back unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"run_id", "status", "failure", "created_at", "started_at", "finished_at", "updated_at", "written_by",
        "config_source", "config", "seeds", "data", "decisions", "spark", "versions", "native", "git_commit", "tables",
        "variants", "resumes", "theory"})
public final class Manifest extends Extensible {
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public String runId;
    /** {@link #RUNNING}, {@link #COMPLETED} or {@link #FAILED}. */
    public String status;
    /** Why the run failed (with status failed). */
    public String failure;
    public String createdAt;
    public String startedAt;
    public String finishedAt;
    /** When {@link ManifestFile} last wrote it, and which process. */
    public String updatedAt;
    public ProcessIdentity writtenBy;
    public String configSource;
    /** The resolved config, key to value (RunConfig.asMap as JSON). */
    public Map<String, Object> config;
    public Map<String, Object> seeds;
    /** The data description (files, record counts, normalization statistics). */
    public Map<String, Object> data;
    public Map<String, Object> decisions;
    public Map<String, Object> spark;
    public Map<String, Object> versions;
    @JsonProperty("native")
    public Map<String, Object> nativeBackend;
    /** The commit bnscope was built from (recorded at build time). */
    public String gitCommit;
    public Tables tables;
    /** Variant name to its record (older manifests and fixtures list bare names: read as empty records). */
    @JsonDeserialize(using = VariantsReader.class)
    public Map<String, Variant> variants = new LinkedHashMap<>();
    /** Every {@code train --resume} that continued this run, oldest first. */
    public List<Resume> resumes;
    /** What the theory job checked. */
    public Map<String, Object> theory;
    /** The loss surfaces computed (`./submit.sh surface`), by "variant@step": settings, seeds, sample, timing. */
    public Map<String, Object> surfaces;

    /** The entry of {@code variant}, created when absent. */
    public Variant variant(String name) {
        return variants.computeIfAbsent(name, k -> new Variant());
    }

    public boolean tablesComplete() {
        return tables != null && Boolean.TRUE.equals(tables.complete);
    }

    /** Whether the tables are final: true only once the run completed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Tables extends Extensible {
        public Boolean complete;

        public Tables() {
        }

        public Tables(boolean complete) {
            this.complete = complete;
        }
    }

    /** One variant's training record. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"status", "parameters", "layer_helpers", "started_at", "steps", "resume_step", "final_train_loss",
            "final_test_loss", "final_test_accuracy", "train_seconds", "finished_at"})
    public static final class Variant extends Extensible {
        public String status;
        public Long parameters;
        public Map<String, Object> layerHelpers;
        public String startedAt;
        /** Steps trained when the variant completed. */
        public Long steps;
        /** The newest checkpoint's step when the variant stopped without completing: where --resume continues. */
        public Long resumeStep;
        public Double finalTrainLoss;
        public Double finalTestLoss;
        public Double finalTestAccuracy;
        public Double trainSeconds;
        public String finishedAt;
    }

    /** Reads "variants" as an object of records or as an array of variant names. */
    static final class VariantsReader extends JsonDeserializer<Map<String, Variant>> {
        @Override
        public Map<String, Variant> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = p.readValueAsTree();
            Map<String, Variant> out = new LinkedHashMap<>();
            if (node.isArray()) {
                for (JsonNode name : node) {
                    out.put(name.asText(), new Variant());
                }
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), ctxt.readTreeAsValue(e.getValue(), Variant.class));
                }
            } else if (!node.isNull()) {
                return ctxt.reportInputMismatch(Map.class, "\"variants\" must be an object of variant records or a list of names");
            }
            return out;
        }
    }

    /** One {@code train --resume}: when, by whom, which config keys changed, and where each variant continued. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Resume {
        public String at;
        public ProcessIdentity by;
        /** Config key to {from, to}. */
        public Map<String, Change> changed = new LinkedHashMap<>();
        /** Variant to the step it continued from (0: trained from the start). */
        public Map<String, Long> fromStep = new LinkedHashMap<>();
    }

    /** A config value before and after a resume. */
    public record Change(Object from, Object to) {
    }

    /** Adds a resume record. */
    public void addResume(Resume resume) {
        if (resumes == null) {
            resumes = new ArrayList<>();
        }
        resumes.add(resume);
    }
}
