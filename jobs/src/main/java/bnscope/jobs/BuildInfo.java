package bnscope.jobs;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Library versions and the git commit, for the run manifest. */
public final class BuildInfo {
    private BuildInfo() {
    }

    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("bnscope", version(BuildInfo.class));
        v.put("java", System.getProperty("java.version"));
        v.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        v.put("deeplearning4j", version(org.deeplearning4j.nn.multilayer.MultiLayerNetwork.class));
        v.put("nd4j", version(org.nd4j.linalg.factory.Nd4j.class));
        v.put("parquet", version(org.apache.parquet.hadoop.ParquetWriter.class));
        v.put("scala", scala.util.Properties.versionNumberString());
        return v;
    }

    private static String version(Class<?> c) {
        String v = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        String jar = c.getProtectionDomain().getCodeSource() == null ? "" : c.getProtectionDomain().getCodeSource().getLocation().getPath();
        String name = new File(jar).getName();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d[\\w.\\-]*?)(-linux.*)?\\.jar$").matcher(name);
        return m.find() ? m.group(1) : "unknown";
    }

    /** The current git commit of the working directory, or "unknown" outside a checkout. */
    public static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && line != null && line.matches("[0-9a-f]{40}")) {
                    return line;
                }
            }
        } catch (Exception ignored) {
            // no git on this machine: the manifest says so
        }
        return "unknown";
    }
}
