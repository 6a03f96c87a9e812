package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PITR commands end to end: `sandbox start --archive`, `backup --physical`, `verify-backup` choosing
 * the drill by itself for a physical backup, usage errors, and a drill killed with SIGKILL whose
 * throwaway server and files the next drill removes.
 */
class CliPitrTest {
    @TempDir
    Path tmp;

    @Test
    void archiveBackupDrillAndAKilledDrillsLeftoversRemoved() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Map<String, String> env = Map.of("PGRUNBOOK_STATE_DIR", tmp.resolve("state").toString());
        Path archive = tmp.resolve("wal");
        CliRun start = CliRun.withEnv(env, "sandbox", "start", "--archive", archive.toString(), "--archive-timeout", "2s");
        assertThat(start.exitCode).as(start.err).isZero();
        assertThat(start.err).contains("WAL is archived into " + archive);
        String url = start.out.strip();
        try {
            Path backups = tmp.resolve("base");
            assertThat(CliRun.run("backup", "--physical", "--table", "x", "--db", url, "--dir", backups.toString()).exitCode).isEqualTo(2);
            CliRun backup = CliRun.run("backup", "--physical", "--db", url, "--dir", backups.toString(), "--keep-last", "2");
            assertThat(backup.exitCode).as(backup.out + backup.err).isZero();
            try (Connection c = DriverManager.getConnection("jdbc:" + url.replace("postgresql://postgres@", "postgresql://") + "?user=postgres");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE marker AS SELECT 1 AS n");
                s.execute("SELECT pg_switch_wal()");
            }
            CliRun noArchive = CliRun.run("verify-backup", "--latest", backups.toString(), "--db", url);
            assertThat(noArchive.exitCode).isEqualTo(2);
            assertThat(noArchive.err).contains("needs --archive DIR");

            Path child = Files.createDirectories(tmp.resolve("child"));
            ChildProcess killed = ChildProcess.start(child, env, "verify-backup", "--latest", backups.toString(), "--archive", archive.toString(),
                    "--db", url, "-q");
            Path drillDir = awaitDrillServer(killed.process.pid());
            killed.process.destroyForcibly().waitFor();
            long orphan = Long.parseLong(Files.readAllLines(drillDir.resolve("data/postmaster.pid")).get(0).strip());
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("SIGKILL left the drill's server running").contains(true);

            CliRun drill = CliRun.run("verify-backup", "--latest", backups.toString(), "--archive", archive.toString(), "--db", url,
                    "--check", "SELECT count(*) = 1 FROM marker", "--format", "json");
            assertThat(drill.exitCode).as(drill.out + drill.err).isZero();
            assertThat(drill.out).contains("leftovers of killed drills removed").contains("\"status\": \"pass\"");
            assertThat(Files.exists(drillDir)).as("the killed drill's directory is removed").isFalse();
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).as("the killed drill's server is stopped").isFalse();
        } finally {
            assertThat(CliRun.withEnv(env, "sandbox", "stop").exitCode).isZero();
        }
    }

    /** The drill directory of the child process once its server has started. */
    private static Path awaitDrillServer(long childPid) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                Optional<Path> dir = s.filter(p -> p.getFileName().toString().startsWith("pgrunbook-drill-"))
                        .filter(p -> owner(p).equals(String.valueOf(childPid)))
                        .filter(p -> Files.isRegularFile(p.resolve("data/postmaster.pid"))).findFirst();
                if (dir.isPresent() && Files.readAllLines(dir.get().resolve("data/postmaster.pid")).size() > 1) {
                    return dir.get();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child's drill server never started");
    }

    private static String owner(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("owner.pid"));
            return lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
