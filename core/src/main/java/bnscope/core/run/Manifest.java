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
 * config, seeds, data, versions, build commit), who last wrote it, how it ended, per-cell results
 * and every resume. Read and written only by {@link ManifestFile}.
 *
 * <p>Tolerant of other bnscope versions: every field may be missing (null), and fields this version
 * does not know are kept ({@link Extensible#other}) and written back unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"run_id", "status", "failure", "created_at", "started_at", "finished_at", "updated_at", "written_by",
        "config_source", "config", "seeds", "data", "decisions", "spark", "versions", "native", "git_commit", "tables",
        "grid", "cells", "variants", "resumes", "theory"})
public final class Manifest extends Extensible {
    /** A grid cell not started yet. */
    public static final String PENDING = "pending";
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
    /** The experiment grid: its variants, learning rates and seeds, and how many cells ran at once. */
    public Map<String, Object> grid;
    /** Grid cell id ({@code bnscope.core.grid.GridCell#id}) to its record, in training order. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public Map<String, Cell> cells = new LinkedHashMap<>();
    /**
     * Variant name to its record: what bnscope wrote before experiment grids (one cell per variant).
     * Still read, never written by training now; older manifests and fixtures list bare names (read as empty records).
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonDeserialize(using = VariantsReader.class)
    public Map<String, Variant> variants = new LinkedHashMap<>();
    /** Every {@code train --resume} that continued this run, oldest first. */
    public List<Resume> resumes;
    /** What the theory job checked. */
    public Map<String, Object> theory;

    /** The entry of the cell with id {@code id}, created when absent. */
    public Cell cell(String id) {
        return cells.computeIfAbsent(id, k -> new Cell());
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

    /** One variant's training record (and the common part of a grid cell's). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"status", "parameters", "layer_helpers", "started_at", "steps", "resume_step", "final_train_loss",
            "final_test_loss", "final_test_accuracy", "train_seconds", "finished_at"})
    public static class Variant extends Extensible {
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

    /**
     * One grid cell's training record: its key (variant, learning rate, seed), the examples each
     * BatchNorm layer normalizes over, the steps committed so far, and the variant record's fields.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"variant", "learning_rate", "seed", "status", "batchnorm_batch", "parameters", "layer_helpers", "started_at",
            "steps_done", "steps", "resume_step", "final_train_loss", "final_test_loss", "final_test_accuracy", "train_seconds",
            "finished_at"})
    public static final class Cell extends Variant {
        public String variant;
        public Double learningRate;
        public Long seed;
        /**
         * The BatchNorm statistics batch: {@code examples} each normalization layer's batch statistics are over
         * (batch_size / spark.workers), {@code minibatch} (batch_size), {@code ghost_batch} (true when workers &gt; 1:
         * each worker normalizes over its own slice, not over the paper's whole minibatch).
         */
        public Map<String, Object> batchnormBatch;
        /** Steps trained and committed so far (updated after every averaging split). */
        public Long stepsDone;
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

    /** One {@code train --resume}: when, by whom, which config keys changed, and where each cell continued. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Resume {
        public String at;
        public ProcessIdentity by;
        /** Config key to {from, to}. */
        public Map<String, Change> changed = new LinkedHashMap<>();
        /** Cell id (variant, before grids) to the step it continued from (0: trained from the start). */
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
