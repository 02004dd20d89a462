package bnscope.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java 17 opens have one list, bnscope/jvm-options.txt: SparkSessions gives executors exactly
 * its options, the test JVM (surefire's argLine, from the root pom) was started with them, and no
 * script or pom spells the list out again.
 */
class JvmOptionsTest {
    private static final Path REPO = Path.of(System.getProperty("bnscope.repo.root", ".."));

    @Test
    void theListIsReadOptionByOptionWithoutComments() {
        List<String> opens = SparkSessions.javaOpens();
        assertEquals("-XX:+IgnoreUnrecognizedVMOptions", opens.get(0));
        assertTrue(opens.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), opens.toString());
        assertEquals(13, opens.stream().filter(o -> o.startsWith("--add-opens=java.base/")).count(), opens.toString());
        for (String o : opens) {
            assertTrue(o.startsWith("-") && !o.contains(" ") && !o.contains("#"), "not one option: '" + o + "'");
        }
    }

    @Test
    void executorsGetExactlyTheListAfterTheDl4jSwitches() {
        List<String> executor = List.of(SparkSessions.executorJavaOptions().split(" "));
        List<String> opens = SparkSessions.javaOpens();
        assertEquals(opens, executor.subList(executor.size() - opens.size(), executor.size()));
    }

    @Test
    void thisTestJvmWasStartedWithTheList() {
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String o : SparkSessions.javaOpens()) {
            assertTrue(jvmArgs.contains(o), "surefire's argLine lacks " + o + ": " + jvmArgs);
        }
    }

    @Test
    void noScriptOrPomSpellsTheListAgain() throws IOException {
        List<Path> files = new ArrayList<>(List.of(REPO.resolve("pom.xml"), REPO.resolve("submit.sh"),
                REPO.resolve("jobs/src/main/java/bnscope/jobs/SparkSessions.java")));
        try (Stream<Path> scripts = Files.list(REPO.resolve("scripts"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).forEach(files::add);
        }
        for (Path f : files) {
            assertTrue(Files.isRegularFile(f), f + " missing");
            assertFalse(Files.readString(f).contains("--add-opens="), f + " spells out --add-opens options; read "
                    + SparkSessions.JVM_OPTIONS_RESOURCE + " instead");
        }
    }
}
