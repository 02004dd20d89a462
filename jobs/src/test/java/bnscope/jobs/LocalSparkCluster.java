package bnscope.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster (one master, N worker JVMs on 127.0.0.1) for a test, started and
 * stopped with scripts/cluster.sh on free ports in a temporary state directory. The daemons and their
 * executors run from the test JVM's own classpath ({@link ClasspathJars}), so no {@code package} step
 * is needed. {@link #close()} always stops every JVM it started, also when a test failed (a JVM
 * shutdown hook does the same if the test JVM ends early), and deletes the state directory; failure
 * messages carry the logs ({@link #logs()}) first.
 */
final class LocalSparkCluster implements AutoCloseable {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

    private final Path repoRoot;
    private final Path stateDir;
    private final ClasspathJars classpath;
    private final int masterPort;
    private final int webPort;
    private final Thread shutdownHook;
    private boolean stopped;

    private LocalSparkCluster(Path repoRoot, Path stateDir, ClasspathJars classpath, int masterPort, int webPort) {
        this.repoRoot = repoRoot;
        this.stateDir = stateDir;
        this.classpath = classpath;
        this.masterPort = masterPort;
        this.webPort = webPort;
        this.shutdownHook = new Thread(this::stopQuietly, "stop-local-spark-cluster");
    }

    /** Starts {@code workers} workers of {@code cores} cores and {@code memory} (e.g. "3g") each. */
    static LocalSparkCluster start(int workers, int cores, String memory) throws IOException, InterruptedException {
        Path root = repoRoot();
        Path state = Files.createTempDirectory("bnscope-cluster-");
        ClasspathJars jars = ClasspathJars.ofThisJvm(state.resolve("classes"));
        String lastFailure = "";
        for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between choosing and binding it
            LocalSparkCluster cluster = new LocalSparkCluster(root, state, jars, freePort(), freePort());
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            ScriptResult r = cluster.script("start", String.valueOf(workers), String.valueOf(cores), memory);
            if (r.exitCode() == 0) {
                return cluster;
            }
            cluster.close();
            lastFailure = r.output();
            if (!lastFailure.contains("is taken")) {
                break;
            }
        }
        throw new IllegalStateException("scripts/cluster.sh start failed:\n" + lastFailure + "\n" + clusterLogs(state));
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    ClasspathJars classpath() {
        return classpath;
    }

    Path stateDir() {
        return stateDir;
    }

    Path repoRootDir() {
        return repoRoot;
    }

    /** The Worker JVMs' process ids, from the pid files the script writes. */
    List<Long> workerPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.list(stateDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("worker-\\d+\\.pid")).sorted().toList()) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
        }
        return pids;
    }

    /** The live executor JVMs: children of this cluster's Workers running CoarseGrainedExecutorBackend. */
    List<ProcessHandle> executors() throws IOException {
        List<ProcessHandle> executors = new ArrayList<>();
        for (long worker : workerPids()) {
            ProcessHandle.of(worker).ifPresent(w -> w.children()
                    .filter(c -> c.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .forEach(executors::add));
        }
        return executors;
    }

    /** Master and worker logs plus each executor's stderr, for failure messages. */
    String logs() {
        return clusterLogs(stateDir);
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            List<ProcessHandle> leftovers = new ArrayList<>();
            for (long pid : workerPids()) {
                ProcessHandle.of(pid).ifPresent(w -> {
                    leftovers.add(w);
                    w.descendants().forEach(leftovers::add);
                });
            }
            Path masterPid = stateDir.resolve("master.pid");
            if (Files.exists(masterPid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(masterPid).trim())).ifPresent(leftovers::add);
            }
            script("stop");
            // whatever the script could not stop (it was interrupted, a pid file vanished): by process id
            for (ProcessHandle p : leftovers) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            deleteRecursively(stateDir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("LocalSparkCluster: stopping " + stateDir + " failed: " + e);
        }
    }

    private record ScriptResult(int exitCode, String output) {
    }

    private ScriptResult script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", repoRoot.resolve("scripts/cluster.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repoRoot.toFile()).redirectErrorStream(true);
        Path output = stateDir.resolve("cluster-sh-" + args[0] + ".out");
        pb.redirectOutput(output.toFile());
        Map<String, String> env = pb.environment();
        env.put("BNSCOPE_CLUSTER_DIR", stateDir.toString());
        env.put("BNSCOPE_MASTER_PORT", String.valueOf(masterPort));
        env.put("BNSCOPE_WEB_PORT", String.valueOf(webPort));
        env.put("BNSCOPE_CLUSTER_CLASSPATH", classpath.joined());
        Process p = pb.start();
        if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new ScriptResult(-1, "scripts/cluster.sh " + args[0] + " did not finish within " + SCRIPT_TIMEOUT);
        }
        return new ScriptResult(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static String clusterLogs(Path state) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log") || f.getFileName().toString().equals("stderr")).sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                sb.append("---- ").append(f).append(" (last 4000 chars)\n").append(text, Math.max(0, text.length() - 4000), text.length()).append('\n');
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("(cannot read logs: ").append(e).append(")");
        }
        return sb.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            // links in spark-home/jars are deleted as links; their targets (the ~/.m2 jars) stay
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The repository root: the nearest directory above the working directory holding scripts/cluster.sh. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/cluster.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no scripts/cluster.sh above " + Path.of("").toAbsolutePath());
    }
}
