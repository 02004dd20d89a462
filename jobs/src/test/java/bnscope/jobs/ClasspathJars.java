package bnscope.jobs;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The test JVM's own classpath as a list of jar files, for a Spark cluster started inside a test.
 *
 * <p>Surefire runs in Maven's {@code test} phase, before {@code package}: in a clean {@code mvn test}
 * there is no bnscope-jobs.jar and no jobs/target/lib yet. But {@code java.class.path} of the test JVM
 * names every dependency jar in ~/.m2 and each bnscope module's {@code target/classes}. A standalone
 * Worker starts executors with {@code $SPARK_HOME/jars/*} only, so each class directory is packed
 * into a jar here; test-class directories are left out (the cluster runs production code only).
 */
final class ClasspathJars {
    private final List<Path> jars;

    private ClasspathJars(List<Path> jars) {
        this.jars = List.copyOf(jars);
    }

    /** Packs the class directories of {@code java.class.path} into {@code packDir}; jars are kept as they are. */
    static ClasspathJars ofThisJvm(Path packDir) {
        List<Path> jars = new ArrayList<>();
        try {
            Files.createDirectories(packDir);
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path p = Path.of(entry).toAbsolutePath().normalize();
                if (Files.isDirectory(p)) {
                    if (!p.getFileName().toString().equals("test-classes")) {
                        jars.add(pack(p, packDir));
                    }
                } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                    jars.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the test classpath into " + packDir, e);
        }
        return new ClasspathJars(jars);
    }

    List<Path> jars() {
        return jars;
    }

    /** The jars joined with ':' (a JVM classpath and scripts/cluster.sh's BNSCOPE_CLUSTER_CLASSPATH). */
    String joined() {
        return String.join(File.pathSeparator, jars.stream().map(Path::toString).toList());
    }

    /** The jar holding {@code className} (e.g. the application jar for spark-submit). */
    Path jarWith(String className) {
        String entry = className.replace('.', '/') + ".class";
        for (Path jar : jars) {
            try (JarFile f = new JarFile(jar.toFile())) {
                if (f.getEntry(entry) != null) {
                    return jar;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar, e);
            }
        }
        throw new IllegalStateException(className + " is on no jar of the test classpath");
    }

    /** {@code .../jobs/target/classes} becomes {@code packDir/jobs-classes.jar}. */
    private static Path pack(Path dir, Path packDir) throws IOException {
        Path module = dir.getParent() != null && dir.getParent().getParent() != null ? dir.getParent().getParent().getFileName() : dir.getFileName();
        Path jar = packDir.resolve(module + "-" + dir.getFileName() + ".jar");
        for (int i = 2; Files.exists(jar); i++) {
            jar = packDir.resolve(module + "-" + dir.getFileName() + "-" + i + ".jar");
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = dir.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(f)) {
                    zip.putNextEntry(new JarEntry(name + "/"));
                } else {
                    zip.putNextEntry(new JarEntry(name));
                    Files.copy(f, zip);
                }
                zip.closeEntry();
            }
        }
        return jar;
    }
}
