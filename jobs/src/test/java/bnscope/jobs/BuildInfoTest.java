package bnscope.jobs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The manifest's bnscope version and commit come from the build (bnscope/build.properties), not from the working directory. */
class BuildInfoTest {
    @Test
    void theBuildRecordsItsOwnVersionAndCommit() throws Exception {
        assertNotNull(BuildInfo.class.getResource(BuildInfo.RESOURCE), "the build writes " + BuildInfo.RESOURCE);
        assertTrue(BuildInfo.versions().get("bnscope").matches("\\d+\\.\\d+.*"), BuildInfo.versions().toString());
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                .directory(new java.io.File(System.getProperty("bnscope.repo.root"))).start();
        String head = new String(git.getInputStream().readAllBytes()).strip();
        git.waitFor();
        assertTrue(BuildInfo.gitCommit().matches("[0-9a-f]{40}(-dirty)?"), BuildInfo.gitCommit());
        assertTrue(BuildInfo.gitCommit().startsWith(head), "built from " + head + ", recorded " + BuildInfo.gitCommit());
    }
}
