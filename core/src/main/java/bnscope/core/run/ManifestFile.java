package bnscope.core.run;

import bnscope.core.BadInputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes a run's {@code manifest.json} ({@link Manifest}); the only code that touches the
 * file. Writing is staged then renamed ({@link StagedFiles}), so a reader sees the old manifest or the
 * new one, never half of one; every write stamps who wrote it and when.
 */
public final class ManifestFile {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

    private ManifestFile() {
    }

    /** The manifest of {@code runDir}, or empty when the directory has none. BadInputException when it is not a manifest. */
    public static Optional<Manifest> readIfPresent(FileSystem fs, Path runDir) {
        Path file = new RunLayout(runDir).manifest();
        try {
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            JsonNode tree;
            try (InputStream in = fs.open(file)) {
                tree = JSON.readTree(in);
            }
            if (tree == null || !tree.isObject()) {
                throw new BadInputException("The manifest " + file + " does not hold a JSON object. It is written by the "
                        + "training job; restore it from the run or re-run training.");
            }
            return Optional.of(JSON.treeToValue(tree, Manifest.class));
        } catch (JsonProcessingException e) {
            throw new BadInputException("The manifest " + file + " is not valid JSON or has a field of the wrong type ("
                    + e.getOriginalMessage() + "). It is written by the training job; if it was edited by hand, restore it "
                    + "or re-run training.", e);
        } catch (IOException e) {
            throw new BadInputException("Cannot read " + file + " (" + e.getMessage() + "). Check the path and the file "
                    + "system's settings.", e);
        }
    }

    /** The manifest of {@code runDir}; BadInputException when there is none. */
    public static Manifest read(FileSystem fs, Path runDir) {
        return readIfPresent(fs, runDir).orElseThrow(() -> new BadInputException("No " + RunLayout.MANIFEST + " in " + runDir
                + ": this is not a bnscope run directory (or its training never started). Pass a directory written by "
                + "`./submit.sh train`."));
    }

    public static boolean exists(FileSystem fs, Path runDir) {
        try {
            return fs.exists(new RunLayout(runDir).manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + runDir, e);
        }
    }

    /** Stamps {@code manifest} with this process and the time, and writes it (staged, then renamed). */
    public static void write(FileSystem fs, Path runDir, Manifest manifest) throws IOException {
        manifest.updatedAt = Instant.now().toString();
        manifest.writtenBy = ProcessIdentity.current();
        byte[] bytes = JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8);
        StagedFiles.write(fs, new RunLayout(runDir).manifest(), out -> out.write(bytes));
    }

    /** The manifest as a JSON tree (for code that renders arbitrary fields, like the report). */
    public static JsonNode tree(Manifest manifest) {
        return JSON.valueToTree(manifest);
    }

    /** {@code value} as it reads back from manifest.json (the same number and list types), for comparisons. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asRecorded(Map<String, ?> value) {
        try {
            return JSON.readValue(JSON.writeValueAsString(value), LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A copy of {@code manifest} (for callers that must not see later changes). */
    public static Manifest copy(Manifest manifest) {
        try {
            return JSON.readValue(JSON.writeValueAsString(manifest), Manifest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest not representable as JSON", e);
        }
    }

    /** {@code value} as a plain map (nested maps and lists), e.g. a variant's entry for code that reads raw maps. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object value) {
        return JSON.convertValue(value, LinkedHashMap.class);
    }
}
