package bnscope.jobs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Library versions and bnscope's own version and commit, for the run manifest. bnscope's version and
 * commit come from {@code bnscope/build.properties}, written by the build (jobs/pom.xml runs git in
 * the module's own checkout), so they describe the code that runs, not whatever repository the user
 * happens to run it from.
 */
public final class BuildInfo {
    static final String RESOURCE = "/bnscope/build.properties";
    private static final Properties BUILD = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from bnscope's jar", e);
        }
        return p;
    }

    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("bnscope", BUILD.getProperty("version", "unknown"));
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

    /**
     * The commit bnscope was built from ("unknown" when built without git or outside a checkout),
     * with "-dirty" when tracked files had uncommitted changes at build time.
     */
    public static String gitCommit() {
        String commit = BUILD.getProperty("commit", "unknown");
        return commit + ("true".equals(BUILD.getProperty("dirty")) ? "-dirty" : "");
    }
}
