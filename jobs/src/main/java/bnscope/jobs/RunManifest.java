package bnscope.jobs;

import bnscope.core.BadInputException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's {@code manifest.json}: what was run (resolved config, seeds, data statistics, library
 * versions, git commit), when, and how it ended. Written at start (status running), after every
 * variant, and at the end (completed, or failed with the reason); tables are marked incomplete
 * until the run completes, so a half-written run is never mistaken for a finished one.
 */
public final class RunManifest {
    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Configuration hadoop;
    private final Map<String, Object> content;

    private RunManifest(Path file, Configuration hadoop, Map<String, Object> content) {
        this.file = file;
        this.hadoop = hadoop;
        this.content = content;
    }

    public static RunManifest create(Path runDir, Configuration hadoop) {
        return new RunManifest(new Path(runDir, FILE), hadoop, new LinkedHashMap<>());
    }

    /** Reads an existing manifest; a clear error when it is missing or unreadable. */
    public static RunManifest read(Path runDir, Configuration hadoop) {
        Path file = new Path(runDir, FILE);
        try {
            FileSystem fs = file.getFileSystem(hadoop);
            if (!fs.exists(file)) {
                throw new BadInputException("No " + FILE + " in " + runDir + ": this is not a bnscope run directory "
                        + "(or its training never started). Pass a directory written by `./submit.sh train`.");
            }
            try (InputStream in = fs.open(file)) {
                Map<String, Object> content = JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {
                });
                return new RunManifest(file, hadoop, content);
            }
        } catch (IOException e) {
            throw new BadInputException("Cannot read " + file + " (" + e.getMessage() + "). The manifest is JSON written "
                    + "by the training job; if it was edited by hand, restore it or re-run training.", e);
        }
    }

    public static boolean exists(Path runDir, Configuration hadoop) {
        try {
            Path file = new Path(runDir, FILE);
            return file.getFileSystem(hadoop).exists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized Object get(String key) {
        return content.get(key);
    }

    /** A copy of one variant's entry under "variants" (empty when the variant has none yet). */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> variant(String name) {
        Object v = section("variants").get(name);
        return v instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    /** Merges {@code values} into one variant's entry and writes the manifest (safe from several threads). */
    @SuppressWarnings("unchecked")
    public synchronized void updateVariant(String name, Map<String, Object> values) {
        ((Map<String, Object>) section("variants").computeIfAbsent(name, k -> new LinkedHashMap<String, Object>())).putAll(values);
        write();
    }

    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> section(String key) {
        return (Map<String, Object>) content.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    public synchronized RunManifest put(String key, Object value) {
        content.put(key, value);
        return this;
    }

    public Map<String, Object> content() {
        return content;
    }

    public String status() {
        return String.valueOf(content.get("status"));
    }

    public synchronized void markRunning() {
        content.put("status", "running");
        content.remove("failure");
        section("tables").put("complete", false);
        write();
    }

    public synchronized void markCompleted() {
        content.put("status", "completed");
        content.put("finished_at", Instant.now().toString());
        section("tables").put("complete", true);
        write();
    }

    public synchronized void markFailed(String reason) {
        content.put("status", "failed");
        content.put("failure", reason);
        content.put("finished_at", Instant.now().toString());
        section("tables").put("complete", false);
        write();
    }

    /** Writes the manifest atomically (temporary file, then rename). */
    public synchronized void write() {
        try {
            FileSystem fs = file.getFileSystem(hadoop);
            fs.mkdirs(file.getParent());
            Path tmp = new Path(file.getParent(), "." + FILE + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(JSON.writeValueAsString(content).getBytes(StandardCharsets.UTF_8));
            }
            if (fs.exists(file)) {
                fs.delete(file, false);
            }
            if (!fs.rename(tmp, file)) {
                throw new IOException("rename " + tmp + " -> " + file + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
