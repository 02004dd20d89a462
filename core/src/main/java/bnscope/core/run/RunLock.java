package bnscope.core.run;

import bnscope.core.BadInputException;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lock a command holds while it writes into a run directory ({@code RUN/_lock},
 * docs/run-directory.md), so two writers never interleave (two {@code train --resume} on one run
 * lost rows and still ended "completed").
 *
 * <p>Taking it creates the file only if absent: {@code FileSystem.create(path, false)}, atomic on HDFS;
 * on the local file system Hadoop's create checks then creates, so there the file is created with
 * {@code O_EXCL} instead. The file names the holder (host, pid, command, start) and its modification
 * time is the heartbeat, refreshed every {@link #HEARTBEAT} while the command works. A lock whose
 * heartbeat is older than {@link #STALE_AFTER}, or whose pid is dead on this host, is stale: it is
 * reported and taken over only when the caller passes {@code breakLock}. A live lock is never broken.
 */
public final class RunLock implements AutoCloseable {
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration STALE_AFTER = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the lock file says about its holder. */
    public record Holder(String host, long pid, String command, @JsonProperty("started_at") String startedAt, String token) {
        ProcessIdentity process() {
            return new ProcessIdentity(host, pid);
        }
    }

    /** A lock file found in a run directory, with its heartbeat (the file's modification time). */
    public record State(Holder holder, Instant heartbeat) {
        /** Stale: the heartbeat is older than {@link #STALE_AFTER}, or the pid is dead on this host. */
        public boolean stale(Instant now) {
            boolean silent = Duration.between(heartbeat, now).compareTo(STALE_AFTER) > 0;
            return silent || holder == null || !holder.process().aliveHere().orElse(true);
        }

        public String describe(Instant now) {
            String who = holder == null ? "an unreadable lock file"
                    : "`" + holder.command() + "` (pid " + holder.pid() + " on " + holder.host() + ", started " + holder.startedAt() + ")";
            return who + ", last heartbeat " + Duration.between(heartbeat, now).toSeconds() + " s ago";
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final Holder holder;
    private final ScheduledExecutorService heartbeat;
    private volatile String lost;
    private final Thread releaseAtExit = new Thread(this::release, "bnscope-run-lock-release");

    private RunLock(FileSystem fs, Path file, Holder holder) {
        this.fs = fs;
        this.file = file;
        this.holder = holder;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bnscope-run-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock of {@code runDir} for {@code command} (creating the directory if needed).
     * BadInputException naming the holder when another writer holds it, or when it is stale and
     * {@code breakLock} is false. An IOException means the directory cannot be written at all.
     */
    public static RunLock acquire(Path runDir, Configuration hadoop, String command, boolean breakLock, java.io.PrintStream out)
            throws IOException {
        FileSystem fs = lockFileSystem(runDir.getFileSystem(hadoop));
        Path file = new RunLayout(runDir).lock();
        if (!fs.mkdirs(runDir)) {
            throw new IOException("cannot create the directory " + runDir);
        }
        ProcessIdentity me = ProcessIdentity.current();
        Holder holder = new Holder(me.host(), me.pid(), command, Instant.now().toString(), UUID.randomUUID().toString());
        for (int attempt = 0; attempt < 3; attempt++) {
            if (createExclusive(fs, file, holder)) {
                RunLock lock = new RunLock(fs, file, holder);
                // Ctrl-C or SIGTERM still releases it; only a killed JVM leaves a (then stale) lock
                Runtime.getRuntime().addShutdownHook(lock.releaseAtExit);
                return lock;
            }
            Optional<State> found = read(fs, file);
            if (found.isEmpty()) {
                continue; // released between our create and our read: try again
            }
            Instant now = Instant.now();
            State state = found.get();
            if (!state.stale(now)) {
                throw new BadInputException("Run directory " + runDir + " is being written by " + state.describe(now)
                        + ". Only one command may write into a run at a time: wait until it ends (or stop it), then run "
                        + "this command again. Reading it (sql, compare) needs no lock.");
            }
            if (!breakLock) {
                throw new BadInputException("Run directory " + runDir + " is locked by " + state.describe(now)
                        + ", which is no longer running (stale: heartbeat older than " + STALE_AFTER.toSeconds()
                        + " s, or its pid is gone on this host). Make sure no bnscope command still writes into it, then "
                        + "take the lock over with --break-lock.");
            }
            out.println("bnscope: breaking the stale lock of " + runDir + " held by " + state.describe(now));
            fs.delete(file, false);
        }
        throw new BadInputException("Could not take the lock " + file + ": another command keeps taking it. Run this "
                + "command again when the run directory is idle.");
    }

    /** The lock file of {@code runDir}, if there is one (for readers: is the run being written?). */
    public static Optional<State> inspect(Path runDir, Configuration hadoop) {
        try {
            return read(lockFileSystem(runDir.getFileSystem(hadoop)), new RunLayout(runDir).lock());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lock of " + runDir, e);
        }
    }

    /** Throws when another process took the lock over while this one held it (its writes are no longer safe). */
    public void verifyHeld() {
        beat();
        if (lost != null) {
            throw new IllegalStateException("lost the run lock " + file + ": " + lost
                    + ". Another command took over this run directory; this command's results are not recorded as complete.");
        }
    }

    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(releaseAtExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private synchronized void release() {
        heartbeat.shutdownNow();
        try {
            Optional<State> now = read(fs, file);
            if (now.isPresent() && now.get().holder() != null && holder.token().equals(now.get().holder().token())) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            // the JVM is ending or the file system is gone; the lock will be reported as stale
        }
    }

    /** Refreshes the heartbeat, unless the lock is no longer ours. */
    private synchronized void beat() {
        if (lost != null || heartbeat.isShutdown()) {
            return;
        }
        try {
            Optional<State> now = read(fs, file);
            if (now.isEmpty() || now.get().holder() == null || !holder.token().equals(now.get().holder().token())) {
                lost = now.isEmpty() ? "the lock file was deleted" : "it is now held by " + now.get().describe(Instant.now());
                heartbeat.shutdown();
                return;
            }
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            System.err.println("bnscope: cannot refresh the run lock " + file + ": " + e.getMessage());
        }
    }

    private static Optional<State> read(FileSystem fs, Path file) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        Holder holder;
        try (InputStream in = fs.open(file)) {
            holder = JSON.readValue(in, Holder.class);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            holder = null; // half-written by its creator or damaged: judged by its age alone
        }
        return Optional.of(new State(holder, Instant.ofEpochMilli(status.getModificationTime())));
    }

    /** Creates {@code file} only if absent; false when it exists. */
    private static boolean createExclusive(FileSystem fs, Path file, Holder holder) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(holder);
        if (fs instanceof RawLocalFileSystem raw) {
            try {
                Files.write(raw.pathToFile(file).toPath(), bytes, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // HDFS reports an existing file as a RemoteException wrapping FileAlreadyExistsException
            if (fs.exists(file)) {
                return false;
            }
            throw e;
        }
    }

    /** The local file system without its checksum layer (no .crc files beside the lock, O_EXCL create). */
    private static FileSystem lockFileSystem(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }
}
