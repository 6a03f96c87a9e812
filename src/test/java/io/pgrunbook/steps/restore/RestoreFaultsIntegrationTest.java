package io.pgrunbook.steps.restore;

import static io.pgrunbook.steps.restore.RestoreFixture.backup;
import static io.pgrunbook.steps.restore.RestoreFixture.count;
import static io.pgrunbook.steps.restore.RestoreFixture.exec;
import static io.pgrunbook.steps.restore.RestoreFixture.nameOf;
import static io.pgrunbook.steps.restore.RestoreFixture.restore;
import static io.pgrunbook.steps.restore.RestoreFixture.step;
import static io.pgrunbook.steps.restore.RestoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A tenant restored beside a live writer; restores killed, refused, or short of disk or roles. */
@ExtendWith(TestPostgres.class)
class RestoreFaultsIntegrationTest {
    @TempDir
    static Path tmp;

    static String source;
    static Path full;

    @BeforeAll
    static void seed() throws Exception {
        source = TestPostgres.shared().createDatabase("restore_faults");
        RestoreFixture.seed(source, 5000);
        full = backup(source, tmp.resolve("full"), "");
    }

    @Test
    void aTenantComesBackWhileAWriterKeepsWritingOtherTenantsRows() throws Exception {
        String live = TestPostgres.shared().createDatabase("restore_tenant");
        RestoreFixture.seed(live, 5000);
        Path tenantBackup = backup(live, tmp.resolve("tenant"), "tenant: '3', tenant_column: tenant_id, tables: [orders, items]");
        String othersBefore = text(live, "SELECT md5(string_agg(o.id || o.note || i.qty, ',' ORDER BY o.id)) FROM orders o JOIN items i ON i.order_id = o.id WHERE o.tenant_id <> 3");
        exec(live, "DELETE FROM items WHERE tenant_id = 3 AND id % 2 = 0; DELETE FROM orders o WHERE tenant_id = 3 AND NOT EXISTS "
                + "(SELECT 1 FROM items i WHERE i.order_id = o.id); UPDATE orders SET note = 'damaged' WHERE tenant_id = 3");
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Long> written = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection c = DriverManager.getConnection(live); Statement s = c.createStatement()) {
                int i = 0;
                while (!stop.get()) {
                    int tenant = i++ % 2 == 0 ? 4 : 7;
                    try (ResultSet rs = s.executeQuery("INSERT INTO orders (tenant_id, note) VALUES (" + tenant + ", 'live') RETURNING id")) {
                        rs.next();
                        written.add(rs.getLong(1));
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            while (written.size() < 50) {
                Thread.sleep(10);
            }
            StepResult s = step(restore(live, "path: '" + tenantBackup + "', tenant: '3', safety_dir: '" + tmp.resolve("tsafety") + "'"));
            assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
            assertThat(s.message()).contains("rows of tenant 3").contains("safety backup: ");
        } finally {
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        }
        assertThat(count(live, "SELECT count(*) FROM orders WHERE tenant_id = 3")).isEqualTo(500);
        assertThat(count(live, "SELECT count(*) FROM items WHERE tenant_id = 3")).isEqualTo(500);
        assertThat(count(live, "SELECT count(*) FROM orders WHERE tenant_id = 3 AND note = 'damaged'")).isZero();
        assertThat(text(live, "SELECT md5(string_agg(o.id || o.note || i.qty, ',' ORDER BY o.id)) FROM orders o JOIN items i ON i.order_id = o.id WHERE o.tenant_id <> 3"))
                .as("no other tenant's row changed").isEqualTo(othersBefore);
        assertThat(count(live, "SELECT count(*) FROM orders WHERE note = 'live'")).as("every row the writer wrote is there").isEqualTo(written.size());

        RunReport absent = restore(live, "path: '" + tenantBackup + "', tenant: '99'");
        assertThat(step(absent).message()).contains("tenant 99 is absent from backup").contains("holds tenant 3 only");
        assertThat(absent.exitCode()).isEqualTo(ExitCode.INVALID);
    }

    @Test
    void aTenantWithNoRowsInTheBackupIsRefusedBeforeAnythingIsDeleted() throws Exception {
        Path none = backup(source, tmp.resolve("tenant-none"), "tenant: '42', tables: [orders, items]");
        RunReport r = restore(source, "path: '" + none + "'");
        assertThat(step(r).message()).contains("tenant 42 has no rows in backup");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    }

    @Test
    void pgRestoreKilledMidRestoreIsReportedThenARerunFinishes() throws Exception {
        String target = TestPostgres.shared().createDatabase("restore_killed");
        RestoreFixture.seed(target, 100);
        String with = "path: '" + full + "', clean: true, safety_dir: '" + tmp.resolve("ksafety") + "'";
        StepResult failed;
        try (Connection reader = DriverManager.getConnection(target)) {
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement()) {
                s.execute("LOCK TABLE audit.events IN ACCESS SHARE MODE"); // pg_restore --clean waits to drop it
            }
            CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> restore(target, with));
            ProcessHandle pgRestore = awaitBlockedPgRestore(target);
            pgRestore.destroyForcibly(); // SIGKILL
            failed = step(running.get(60, TimeUnit.SECONDS));
            reader.rollback();
        }
        assertThat(failed.status()).as(failed.message()).isEqualTo(Status.FAIL);
        assertThat(failed.message()).contains("failed").contains("tables restored with every row").contains("not restored: ")
                .contains("Safety backup of the state before: ").contains("rerun the same command to finish it")
                .contains("to put the target back: pgrunbook restore ");
        StepResult rerun = step(restore(target, with));
        assertThat(rerun.status()).as(rerun.message()).isEqualTo(Status.PASS);
        assertThat(rerun.message()).contains("resumed an interrupted restore");
        assertThat(count(target, "SELECT count(*) FROM orders")).isEqualTo(5000);
        assertThat(count(target, "SELECT count(*) FROM audit.events")).isEqualTo(25);
    }

    @Test
    void aTableRestoreQueuedBehindALongTransactionGivesUpAtTheLockTimeoutChangingNothing() throws Exception {
        String target = TestPostgres.shared().createDatabase("restore_locked");
        RestoreFixture.seed(target, 200);
        try (Connection reader = DriverManager.getConnection(target)) {
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement()) {
                s.execute("SELECT count(*) FROM audit.events"); // holds ACCESS SHARE until it ends, as a long report would
            }
            RunReport r = RestoreFixture.run("name: r\nsteps:\n  - id: r\n    type: restore\n    timeout: 5min\n    lock_timeout: 1s\n"
                    + "    with: { path: '" + full + "', tables: ['audit.events'], safety_backup: false }\n", target);
            assertThat(step(r).status()).isEqualTo(Status.FAIL);
            assertThat(step(r).message()).contains("lock").contains("rolled back: nothing was changed");
            reader.rollback();
        }
        assertThat(count(target, "SELECT count(*) FROM audit.events")).isEqualTo(25);
    }

    @Test
    void aMissingOwnerRoleStopsTheRestoreBeforeAnythingChanges() throws Exception {
        String role = "restore_owner_" + ProcessHandle.current().pid();
        String db = TestPostgres.shared().createDatabase("restore_owned");
        exec(db, "CREATE ROLE " + role + "; CREATE TABLE owned (id int); INSERT INTO owned VALUES (1); ALTER TABLE owned OWNER TO " + role);
        Path b = backup(db, tmp.resolve("owned"), "globals: false");
        exec(db, "DROP TABLE owned");
        exec(TestPostgres.shared().jdbcUrl(), "DROP ROLE " + role);
        String name = nameOf(db) + "_copy";
        RunReport r = restore(db, "path: '" + b + "', database: " + name);
        assertThat(step(r).message()).contains("role(s) " + role + " own objects").contains("--globals").contains("--no-owner");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
        assertThat(count(db, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")).isZero();
        StepResult noOwner = step(restore(db, "path: '" + b + "', database: " + name + ", no_owner: true"));
        assertThat(noOwner.status()).as(noOwner.message()).isEqualTo(Status.PASS);
    }

    @Test
    void aFullDiskForTheSafetyBackupChangesNothing() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()).redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes()).strip();
        boolean mounted = p.waitFor() == 0;
        if (!mounted) {
            System.err.println("SKIPPED aFullDiskForTheSafetyBackupChangesNothing: cannot mount a small tmpfs (" + why + ")");
        }
        assumeTrue(mounted, "cannot mount a small tmpfs (needs root): " + why);
        try {
            String target = TestPostgres.shared().createDatabase("restore_full_disk");
            RestoreFixture.seed(target, 20000);
            exec(target, "UPDATE orders SET note = repeat('x', 200)");
            RunReport r = restore(target, "path: '" + full + "', clean: true, safety_dir: '" + mount + "'");
            assertThat(step(r).status()).isIn(Status.ERROR, Status.FAIL);
            assertThat(step(r).message()).containsAnyOf("not enough free space", "No space left on device");
            assertThat(r.exitCode()).isNotEqualTo(ExitCode.OK);
            assertThat(count(target, "SELECT count(*) FROM orders")).as("nothing was restored").isEqualTo(20000);
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    static ProcessHandle awaitBlockedPgRestore(String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit.events'::regclass")) {
                    rs.next();
                    Optional<ProcessHandle> child = ProcessHandle.current().descendants()
                            .filter(ph -> ph.isAlive() && ph.info().command().map(cmd -> cmd.endsWith("/pg_restore")).orElse(false)).findFirst();
                    if (rs.getLong(1) > 0 && child.isPresent()) {
                        return child.get();
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("pg_restore never started waiting for the lock on audit.events");
    }

    static List<String> lines(String s) {
        return s.lines().toList();
    }
}
