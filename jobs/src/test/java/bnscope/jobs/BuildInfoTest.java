package bnscope.jobs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The manifest's bnscope version and commit come from the build (bnscope/build.properties), not from the working directory. */
class BuildInfoTest {
    @Test
    void theBuildRecordsItsOwnVersionAndCommit() throws Exception {
        assertNotNull(BuildInfo.class.getResource(BuildInfo.RESOURCE), "the build writes " + BuildInfo.RESOURCE);
        assertTrue(BuildInfo.versions().get("bnscope").matches("\\d+\\.\\d+.*"), BuildInfo.versions().toString());
        String commit = BuildInfo.gitCommit();
        assertTrue(commit.matches("[0-9a-f]{40}(-dirty)?"), commit);
        // a commit of bnscope's own history: HEAD at build time, or its ancestor if a commit came after the build
        Process git = new ProcessBuilder("git", "merge-base", "--is-ancestor", commit.substring(0, 40), "HEAD")
                .directory(new java.io.File(System.getProperty("bnscope.repo.root"))).inheritIO().start();
        assertEquals(0, git.waitFor(), commit + " is not in this repository's history");
    }
}
