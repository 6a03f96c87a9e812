package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher (bin/pgrunbook) and the packaged jar, as a user runs them: run by Maven after the jar is
 * built (tag "packaged"). The launcher's first start trains the class-data archive against a throwaway
 * sandbox serving TLS; later starts map pgjdbc's connected path and the TLS handshake from it, and
 * must survive a class-file-load hook (JFR here, a -javaagent elsewhere), which on JDK 17 crashes on
 * an archived class found only under META-INF/versions (JDK-8343427).
 */
@Tag("packaged")
class LauncherArchiveTest {
    private static final Path JAR = Path.of("target/pgrunbook.jar");

    @Test
    void theFirstStartArchivesTheConnectedPathAndTlsAndALaterStartWithJfrConnectsWithoutCrashing(@TempDir Path dir) throws Exception {
        Path home = install(dir);
        Path archive = home.resolve("target/pgrunbook.jsa");

        Result first = launch(home, dir, Map.of(), "--version");
        assertThat(first.exit).as(first.err).isZero();
        assertThat(archive).as("the training run made the archive").isRegularFile();
        assertNoTemporaryArchive(archive);

        Path classes = dir.resolve("classes.txt");
        Result run = launch(home, dir, Map.of("PGRUNBOOK_JAVA_OPTS", "-XX:StartFlightRecording=filename=" + dir.resolve("run.jfr")
                + " -Xlog:class+load:file=" + classes), "run", home.resolve("runbooks/health.yaml").toString(), "--sandbox", "--sandbox-tls", "-q");
        assertThat(run.exit).as("exit status with JFR on (134 is the JVM's crash); stderr: " + run.err).isIn(0, 1);
        try (Stream<Path> crashes = Files.list(dir)) {
            assertThat(crashes.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
        }
        String loaded = Files.readString(classes);
        assertThat(loaded).as("pgjdbc's connection and the TLS handshake came from the archive, not the jar")
                .containsPattern("org\\.postgresql\\.jdbc\\.PgConnection source: shared objects file")
                .containsPattern("sun\\.security\\.ssl\\.SSLSocketImpl source: shared objects file");
        assertThat(loaded).as("pgjdbc's cleaner is the one at the jar's root")
                .contains("org.postgresql.util.LazyCleanerImpl source: shared objects file")
                .doesNotContain("LazyCleanerImpl$CleanableWrapper");
    }

    @Test
    void withoutAServerToStartTheTrainingTriesAClosedPortAndStillMakesAnArchive(@TempDir Path dir) throws Exception {
        Path home = install(dir);
        Result first = launch(home, dir, Map.of("PGRUNBOOK_PG_BIN", dir.resolve("no-postgresql").toString()), "--version");
        assertThat(first.exit).as(first.err).isZero();
        Path archive = home.resolve("target/pgrunbook.jsa");
        assertThat(archive).isRegularFile();
        assertNoTemporaryArchive(archive);
    }

    private static void assertNoTemporaryArchive(Path archive) throws IOException {
        try (Stream<Path> left = Files.list(archive.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary archive left").noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /** A copy of the installation's layout (bin/, target/, runbooks/): its archive is its own. */
    private static Path install(Path dir) throws IOException {
        Path home = dir.resolve("pgrunbook");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("target"));
        Files.createDirectories(home.resolve("runbooks"));
        Files.copy(Path.of("bin/pgrunbook"), home.resolve("bin/pgrunbook"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(JAR, home.resolve("target/pgrunbook.jar"));
        Files.copy(Path.of("runbooks/health.yaml"), home.resolve("runbooks/health.yaml"));
        return home;
    }

    private record Result(int exit, String err) {}

    private static Result launch(Path home, Path workDir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/pgrunbook").toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("PGRUNBOOK_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish within 120 s: " + command);
        }
        return new Result(p.exitValue(), Files.readString(err));
    }
}
