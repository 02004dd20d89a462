package bnscope.core.run;

import bnscope.core.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/** The run lock: one writer at a time, the holder named, a dead holder's lock broken only on request. */
class RunLockTest {
    @TempDir
    java.nio.file.Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void aSecondWriterIsRefusedWithTheHolderNamedAndTheLockIsReleased() throws Exception {
        Path run = new Path(tmp.resolve("run").toString());
        Configuration hadoop = new Configuration();
        try (RunLock first = RunLock.acquire(run, hadoop, "train conf/x.conf", false, out)) {
            assertTrue(Files.exists(tmp.resolve("run/_lock")));
            assertFalse(Files.exists(tmp.resolve("run/._lock.crc")), "no checksum file beside the lock");
            for (boolean breakLock : new boolean[]{false, true}) {
                BadInputException e = assertThrows(BadInputException.class,
                        () -> RunLock.acquire(run, hadoop, "analyze", breakLock, out));
                assertTrue(e.getMessage().contains("is being written by `train conf/x.conf`")
                        && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            }
            assertTrue(RunActivity.notice(run, hadoop).orElseThrow().contains("still being written"));
            first.verifyHeld();
        }
        assertFalse(Files.exists(tmp.resolve("run/_lock")), "released");
        try (RunLock again = RunLock.acquire(run, hadoop, "analyze", false, out)) {
            assertTrue(Files.exists(tmp.resolve("run/_lock")));
        }
    }

    @Test
    void aLockWhoseProcessIsGoneIsStaleAndTakenOverOnlyWithBreakLock() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.createDirectories(tmp.resolve("run"));
        Files.writeString(tmp.resolve("run/_lock"), "{\"host\":\"" + ProcessIdentity.current().host() + "\",\"pid\":" + gone.pid()
                + ",\"command\":\"train --resume conf/x.conf\",\"started_at\":\"2026-12-01T10:00:00Z\",\"token\":\"t\"}");
        Path run = new Path(tmp.resolve("run").toString());
        Configuration hadoop = new Configuration();
        BadInputException e = assertThrows(BadInputException.class, () -> RunLock.acquire(run, hadoop, "train", false, out));
        assertTrue(e.getMessage().contains("no longer running") && e.getMessage().contains("--break-lock")
                && e.getMessage().contains("pid " + gone.pid()), e.getMessage());
        assertTrue(Files.readString(tmp.resolve("run/_lock")).contains("\"pid\":" + gone.pid()), "refusal leaves the lock");
        try (RunLock taken = RunLock.acquire(run, hadoop, "train", true, out)) {
            assertTrue(Files.readString(tmp.resolve("run/_lock")).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("breaking the stale lock"));
    }

    @Test
    void aLockWithASilentHeartbeatIsStale() throws Exception {
        Files.createDirectories(tmp.resolve("run"));
        java.nio.file.Path lock = tmp.resolve("run/_lock");
        // a live pid on another host: only the heartbeat's age can tell
        Files.writeString(lock, "{\"host\":\"elsewhere\",\"pid\":1,\"command\":\"train\",\"started_at\":\"x\",\"token\":\"t\"}");
        Path run = new Path(tmp.resolve("run").toString());
        assertThrows(BadInputException.class, () -> RunLock.acquire(run, new Configuration(), "train", true, out),
                "a fresh heartbeat is live, even with --break-lock");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - RunLock.STALE_AFTER.toMillis() - 5_000));
        BadInputException e = assertThrows(BadInputException.class, () -> RunLock.acquire(run, new Configuration(), "train", false, out));
        assertTrue(e.getMessage().contains("no longer running"), e.getMessage());
        RunLock.acquire(run, new Configuration(), "train", true, out).close();
    }

    @Test
    void aManifestLeftRunningByADeadProcessIsReportedWithItsResumeStep() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.createDirectories(tmp.resolve("run/checkpoints/batchnorm-lr0.1-seed1"));
        Files.writeString(tmp.resolve("run/checkpoints/batchnorm-lr0.1-seed1/step-000000010.zip"), "x");
        Files.writeString(tmp.resolve("run/manifest.json"), "{\"status\":\"running\",\"updated_at\":\"2026-12-01T10:00:00Z\","
                + "\"written_by\":{\"host\":\"h1\",\"pid\":" + gone.pid() + "},\"cells\":{\"batchnorm-lr0.1-seed1\":{\"status\":\"running\"},"
                + "\"standard-lr0.1-seed1\":{\"status\":\"completed\"}}}");
        String notice = RunActivity.notice(new Path(tmp.resolve("run").toString()), new Configuration()).orElseThrow();
        assertTrue(notice.contains("pid " + gone.pid() + " on h1 at 2026-12-01T10:00:00Z") && notice.contains("no longer running")
                && notice.contains("continues from batchnorm-lr0.1-seed1 step 10") && !notice.contains("standard"), notice);
    }
}
