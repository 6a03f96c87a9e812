package io.pgrunbook.steps.restore;

import static io.pgrunbook.steps.restore.RestoreFixture.backup;
import static io.pgrunbook.steps.restore.RestoreFixture.count;
import static io.pgrunbook.steps.restore.RestoreFixture.exec;
import static io.pgrunbook.steps.restore.RestoreFixture.restore;
import static io.pgrunbook.steps.restore.RestoreFixture.step;
import static io.pgrunbook.steps.restore.RestoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxCrash;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.steps.backup.Globals;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onto a second server: roles, memberships, grants and the RLS policies naming them come back with
 * the backup's globals (never a password); the drill verifies owners and grants; a target server
 * restarting mid-restore is reported and a rerun finishes.
 */
@ExtendWith(TestPostgres.class)
class RestoreSecondServerIntegrationTest {
    @TempDir
    static Path tmp;

    static Sandbox second;
    static String source;
    static Path withRoles;
    static final String SUFFIX = "_" + ProcessHandle.current().pid();
    static final String OWNER = "app_owner" + SUFFIX;
    static final String READER = "app_reader" + SUFFIX;

    @BeforeAll
    static void start() throws Exception {
        second = Sandbox.start(SandboxOptions.defaults());
        source = TestPostgres.shared().createDatabase("restore_roles");
        exec(TestPostgres.shared().jdbcUrl(), "CREATE ROLE " + OWNER + " LOGIN PASSWORD 'owner-secret-pw'; CREATE ROLE " + READER
                + " NOLOGIN; GRANT " + READER + " TO " + OWNER);
        RestoreFixture.seed(source, 300);
        exec(source, "ALTER TABLE orders OWNER TO " + OWNER + "; ALTER TABLE items OWNER TO " + OWNER
                + "; GRANT SELECT ON orders TO " + READER + "; CREATE POLICY reader_rows ON orders FOR SELECT TO " + READER + " USING (tenant_id < 5)");
        withRoles = backup(source, tmp.resolve("roles"), "");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.stop();
        }
    }

    @Test
    void globalsRoundTripRolesGrantsAndPoliciesOnASecondServerWithoutAPassword() throws Exception {
        String globals = Files.readString(withRoles.resolve(Globals.FILE));
        assertThat(globals).contains("CREATE ROLE " + OWNER).contains("GRANT " + READER + " TO " + OWNER)
                .doesNotContain("owner-secret-pw").doesNotContain("SCRAM-SHA-256").doesNotContainIgnoringCase("PASSWORD '");
        String server = second.jdbcUrl();
        RunReport r = restore(server, "path: '" + withRoles + "', database: app_copy, globals: true");
        StepResult s = step(r);
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(s.message()).contains("globals: ").contains(OWNER);
        String copy = second.jdbcUrl("app_copy");
        assertThat(text(copy, "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'")).isEqualTo(OWNER);
        assertThat(text(copy, "SELECT has_table_privilege('" + READER + "', 'orders', 'SELECT')::text")).isEqualTo("true");
        assertThat(text(copy, "SELECT pg_has_role('" + OWNER + "', '" + READER + "', 'MEMBER')::text")).isEqualTo("true");
        assertThat(text(copy, "SELECT array_to_string(roles, ',') FROM pg_policies WHERE policyname = 'reader_rows'")).isEqualTo(READER);
        assertThat(count(copy, "SELECT count(*) FROM orders")).isEqualTo(300);
        assertThat(text(server, "SELECT (rolpassword IS NULL)::text FROM pg_authid WHERE rolname = '" + OWNER + "'"))
                .as("the role comes back without a password: one is set by hand").isEqualTo("true");
    }

    @Test
    void theDrillRestoresOwnersAndGrantsOnAServerThatLacksTheRoles() throws Exception {
        RunReport r = RestoreFixture.run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 5min\n    with: { path: '"
                + withRoles + "' }\n", second.jdbcUrl(), new Cancellation());
        StepResult s = step(r);
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(s.message()).contains("owners and grants restored and verified").contains("amcheck: B-tree indexes and heaps sound");
    }

    @Test
    void theTargetRestartingMidRestoreIsReportedAndARerunFinishes() throws Exception {
        Sandbox third = Sandbox.start(SandboxOptions.defaults());
        try {
            String server = third.jdbcUrl();
            String with = "path: '" + withRoles + "', database: app_restart, globals: true";
            CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> restore(server, with));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // The restoring pg_restore, not the --list runs of the verification before it.
            while (ProcessHandle.current().descendants().noneMatch(ph -> ph.info().command().map(c -> c.endsWith("/pg_restore")).orElse(false)
                    && ph.info().arguments().map(a -> java.util.List.of(a).contains("--exit-on-error")).orElse(false))
                    && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            SandboxCrash.crash(third); // as the server restarting under pg_restore
            StepResult failed = step(running.get(60, TimeUnit.SECONDS));
            SandboxCrash.restart(third);
            assertThat(failed.status()).as(failed.message()).isEqualTo(Status.FAIL);
            assertThat(failed.message()).contains("rerun the same command to finish it").contains("DROP DATABASE app_restart");
            StepResult rerun = step(restore(server, with));
            assertThat(rerun.status()).as(rerun.message()).isEqualTo(Status.PASS);
            // No "resumed" assertion: the sandbox runs with synchronous_commit=off, so a crash may lose the in-progress mark
            // (then the rerun finds an empty database); the killed-pg_restore test covers resuming from the mark.
            assertThat(count(third.jdbcUrl("app_restart"), "SELECT count(*) FROM orders")).isEqualTo(300);
        } finally {
            third.stop();
        }
    }

    @Test
    void aRestoreIntoTheSameTargetDatabaseWaitsForNoOne() throws Exception {
        String server = second.jdbcUrl();
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(x'70677262'::int, hashtext('pgrunbook:restore:locked_db'))");
            RunReport r = restore(server, "path: '" + withRoles + "', database: locked_db, no_owner: true");
            assertThat(step(r).message()).contains("another restore into database locked_db is running");
            assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
        }
    }
}
