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
            diskFullDuringTheDrill(env, backups, archive, url);
        } finally {
            assertThat(CliRun.withEnv(env, "sandbox", "stop").exitCode).isZero();
        }
    }

    /**
     * The drill's temporary directory on a tmpfs with room for the cluster but not for its WAL as well:
     * the free-space pre-check passes, the restore runs out of space for real, the drill FAILs saying so,
     * and nothing of it is left on the tmpfs.
     */
    private void diskFullDuringTheDrill(Map<String, String> env, Path backups, Path archive, String url) throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small-tmp"));
        long clusterBytes = Long.parseLong(Files.readString(Files.list(backups).filter(Files::isDirectory).findFirst().orElseThrow()
                .resolve("manifest.json")).replaceAll("(?s).*\"cluster_size\" : (\\d+).*", "$1"));
        long sizeMb = (long) Math.ceil(clusterBytes * 1.2 / (1 << 20)) + 1;
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + sizeMb + "m,mode=1777", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            System.err.println("SKIPPED diskFullDuringTheDrill: cannot mount a small tmpfs (" + why + ")");
            return;
        }
        try {
            Map<String, String> childEnv = new java.util.HashMap<>(env);
            childEnv.put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + mount);
            Path child = Files.createDirectories(tmp.resolve("child-full"));
            ChildProcess full = ChildProcess.start(child, childEnv, "verify-backup", "--latest", backups.toString(), "--archive", archive.toString(),
                    "--db", url, "--no-color");
            int exit = full.waitFor(180);
            assertThat(exit).as(full.out() + full.err()).isEqualTo(1);
            assertThat(full.out()).as("the drill says why").containsAnyOf("No space left on device", "disk space");
            try (Stream<Path> left = Files.list(mount)) {
                assertThat(left.filter(f -> f.getFileName().toString().startsWith("pgrunbook-drill-")).toList()).isEmpty();
            }
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
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
