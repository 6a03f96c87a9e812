package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults that need a real pg_dump caught mid-run: killed by a signal, the run cancelled (Ctrl-C),
 * the disk filling up under it; and one verified backup per shard over two targets.
 */
@ExtendWith(TestPostgres.class)
class BackupFaultsIntegrationTest {
    @TempDir
    static Path tmp;

    static String db;

    @BeforeAll
    static void seed() throws Exception {
        db = seededDatabase("backup_faults", 20000);
    }

    @Test
    void pgDumpKilledBySignalLeavesNothingThatLooksComplete() throws Exception {
        Path dir = tmp.resolve("killed");
        try (Connection locker = lockTable(db)) {
            CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(
                    () -> run(backupYaml(dir, ""), Map.of("default", db), new Cancellation()));
            awaitBlockedPgDump(db);
            ProcessHandle pgDump = pgDumpProcess().orElseThrow(() -> new AssertionError("no pg_dump child process found"));
            assertThat(partials(dir)).as("the backup is being written under a .partial name").hasSize(1);
            pgDump.destroyForcibly(); // SIGKILL: pg_dump gets no chance to clean up
            RunReport r = running.get(60, TimeUnit.SECONDS);
            StepResult s = r.steps().get(0);
            assertThat(s.status()).as(s.message()).isEqualTo(Status.FAIL);
            assertThat(s.message()).contains("pg_dump exited with code");
            assertThat(r.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
            locker.rollback();
        }
        assertNothingComplete(dir);
    }

    @Test
    void cancellingTheRunStopsPgDumpAndLeavesNothingThatLooksComplete() throws Exception {
        Path dir = tmp.resolve("cancelled");
        Cancellation ctrlC = new Cancellation();
        try (Connection locker = lockTable(db)) {
            CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> run(backupYaml(dir, ""), Map.of("default", db), ctrlC));
            awaitBlockedPgDump(db);
            ctrlC.cancel();
            RunReport r = running.get(60, TimeUnit.SECONDS);
            StepResult s = r.steps().get(0);
            assertThat(s.status()).as(s.message()).isIn(Status.FAIL, Status.ERROR);
            assertThat(s.message()).contains("interrupted");
            assertThat(r.exitCode()).isNotEqualTo(ExitCode.OK);
            locker.rollback();
        }
        assertThat(pgDumpProcess()).as("pg_dump was stopped with the run").isEmpty();
        assertNothingComplete(dir);
    }

    @Test
    void theDiskFillingUpMidDumpLeavesNothingThatLooksComplete() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString()).redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes()).strip();
        boolean mounted = p.waitFor() == 0;
        if (!mounted) {
            System.err.println("SKIPPED theDiskFillingUpMidDumpLeavesNothingThatLooksComplete: cannot mount a small tmpfs (" + why
                    + "); the fake-pg_dump ENOSPC test in BackupIntegrationTest still runs");
        }
        assumeTrue(mounted, "cannot mount a small tmpfs (needs root): " + why);
        try {
            Path dir = Files.createDirectories(mount.resolve("backups"));
            // The free-space pre-check passes (the tables are small); then, as if another writer took the
            // space, the disk is filled just before the real pg_dump starts, which fails writing for real.
            Path realPgDump = TestPostgres.shared().sandbox().binaries().tool("pg_dump");
            Path wrapper = Files.createTempDirectory(tmp, "fillbin").resolve("pg_dump");
            Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" != \"--version\" ]; then dd if=/dev/zero of='" + mount.resolve("filler")
                    + "' bs=64k 2>/dev/null; fi\nexec '" + realPgDump + "' \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            RunReport r = run(backupYaml(dir, "tables: [small], pg_dump: '" + wrapper + "'"), Map.of("default", db), new Cancellation());
            StepResult s = r.steps().get(0);
            assertThat(s.status()).as(s.message()).isEqualTo(Status.FAIL);
            assertThat(s.message()).contains("No space left on device");
            assertThat(r.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
            assertNothingComplete(dir);
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void perShardBackupGivesOneVerifiedBackupPerShard() throws Exception {
        String shard1 = seededDatabase("backup_shard1", 300);
        String shard2 = seededDatabase("backup_shard2", 700);
        Path dir = tmp.resolve("shards");
        String yaml = "name: shards\ntargets: { shard1: null, shard2: null }\nsteps:\n  - id: b\n    type: backup\n"
                + "    targets: [shard1, shard2]\n    parallel: 2\n    timeout: 5min\n    with: { dir: '" + dir + "' }\n";
        RunReport r = run(yaml, Map.of("shard1", shard1, "shard2", shard2), new Cancellation());
        assertThat(r.steps()).as(r.steps().toString()).isNotEmpty().allSatisfy(s -> assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS));
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        for (String shard : List.of("shard1", "shard2")) {
            List<BackupLayout.Complete> backups = BackupLayout.complete(dir.resolve(shard), null);
            assertThat(backups).as("backups of " + shard).hasSize(1);
            Path backup = backups.get(0).directory();
            BackupManifest m = BackupManifest.read(backup);
            assertThat(m.target()).isEqualTo(shard);
            long expected = shard.equals("shard1") ? 300 : 700;
            assertThat(m.tables()).filteredOn(t -> t.name().equals("big")).singleElement()
                    .satisfies(t -> assertThat(t.rows()).isEqualTo(expected));
            RunReport v = run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 5min\n    with: { path: '" + backup
                    + "', checks: [\"SELECT count(*) = " + expected + " FROM big\"] }\n", Map.of("default", db), new Cancellation());
            assertThat(v.steps().get(0).status()).as(v.steps().get(0).message()).isEqualTo(Status.PASS);
        }
    }

    // ---- helpers ----

    static String seededDatabase(String prefix, int rows) throws Exception {
        String url = TestPostgres.shared().createDatabase(prefix);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
            s.execute("INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, " + rows + ") g");
            s.execute("CREATE TABLE small (id int PRIMARY KEY)");
            s.execute("INSERT INTO small SELECT generate_series(1, 10)");
        }
        return url;
    }

    /** A transaction holding ACCESS EXCLUSIVE on big: pg_dump waits for it, alive and mid-run. */
    static Connection lockTable(String url) throws Exception {
        Connection c = DriverManager.getConnection(url);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE big IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    static void awaitBlockedPgDump(String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'big'::regclass")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("pg_dump never started waiting for the lock on big");
    }

    static Optional<ProcessHandle> pgDumpProcess() {
        return ProcessHandle.current().descendants()
                .filter(ph -> ph.isAlive() && ph.info().command().map(cmd -> cmd.endsWith("/pg_dump")).orElse(false)).findFirst();
    }

    static List<Path> partials(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
        }
    }

    /** No complete backup, the partial directory removed, verify-backup --latest finds nothing. */
    static void assertNothingComplete(Path dir) throws Exception {
        assertThat(BackupLayout.latest(dir)).isEmpty();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly(BackupLayout.LOCK_FILE);
        }
        RunReport v = run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    with: { latest: '" + dir + "' }\n",
                Map.of("default", db), new Cancellation());
        assertThat(v.steps().get(0).status()).isEqualTo(Status.FAIL);
        assertThat(v.steps().get(0).message()).contains("no complete backup");
    }

    static String backupYaml(Path dir, String extra) {
        return "name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 5min\n    lock_timeout: 60s\n    with: { dir: '" + dir + "'"
                + (extra.isEmpty() ? "" : ", " + extra) + " }\n";
    }

    static RunReport run(String yaml, Map<String, String> connections, Cancellation cancellation) {
        Runbook runbook = new RunbookLoader(BackupIntegrationTest.REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        for (Map.Entry<String, String> e : connections.entrySet()) {
            runbook = runbook.withTargetConnection(e.getKey(), e.getValue());
        }
        return new Engine(BackupIntegrationTest.REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), cancellation);
    }
}
