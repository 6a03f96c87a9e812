package io.pgrunbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Concurrency and fault cases of migrate against the shared sandbox. */
@ExtendWith(TestPostgres.class)
class MigrateFaultsIntegrationTest {
    @TempDir
    Path dir;

    static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void exec(String url, String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    static CliRun migrate(Path dir, String url, String... args) {
        List<String> all = new ArrayList<>(List.of("migrate"));
        all.addAll(List.of(args));
        all.addAll(List.of("--dir", dir.toString(), "--db", url, "--no-color"));
        return CliRun.run(all.toArray(String[]::new));
    }

    @Test
    void eightConcurrentUpRunsApplyEachMigrationExactlyOnce() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_conc");
        for (int i = 1; i <= 5; i++) {
            // CREATE TABLE fails if run twice, so a double application would show as an error.
            Files.writeString(dir.resolve(i + "_t" + i + ".up.sql"), "CREATE TABLE t" + i + " (id int);\nSELECT pg_sleep(0.15);\n");
        }
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<CliRun>> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Half give up quickly (exit 3 naming the holder), half wait long enough to find nothing left to do.
            String wait = i % 2 == 0 ? "200ms" : "30s";
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return migrate(dir, url, "up", "--yes", "--lock-wait", wait);
            }, r -> new Thread(r).start()));
        }
        go.countDown();
        int applied = 0, upToDate = 0, blocked = 0;
        for (int i = 0; i < n; i++) {
            CliRun r = runs.get(i).get(60, TimeUnit.SECONDS);
            if (r.exitCode == 3) {
                assertTrue(i % 2 == 0, "only a short --lock-wait gives up: " + r);
                assertTrue(r.out.matches("(?s).*held by|.*session pid \\d+.*"), "names the holder: " + r);
                assertTrue(r.out.contains("nothing was applied by this run"), r.toString());
                blocked++;
            } else {
                assertEquals(0, r.exitCode, r.toString());
                if (r.out.contains("5 of 5 applied")) {
                    applied++;
                } else {
                    assertTrue(r.out.contains("up to date"), r.toString());
                    upToDate++;
                }
            }
            assertFalse(r.all().contains("at io.pgrunbook"), "no stack trace: " + r);
        }
        assertEquals(1, applied, "exactly one run applies the migrations");
        assertEquals(n - 1, upToDate + blocked);
        assertTrue(blocked >= 1, "with 0.75 s of work, a 200 ms wait gives up");
        assertEquals(5, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
        assertEquals(5, count(url, "SELECT count(DISTINCT version) FROM pgrunbook_schema_history"));
        assertEquals(5, count(url, "SELECT count(*) FROM pg_class WHERE relname ~ '^t[1-5]$'"));
    }

    @Test
    void failedConcurrentUniqueIndexLeavesInvalidIndexThatIsNamedAndBlocksRepairUntilDropped() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_cicfail");
        exec(url, "CREATE TABLE t (id int, v int)", "INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 100) g");
        Files.writeString(dir.resolve("1_uniq.up.sql"), "CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);\n");
        CliRun up = migrate(dir, url, "up", "--yes");
        assertEquals(1, up.exitCode, up.toString());
        assertTrue(up.out.contains("1_uniq.up.sql:1"), up.toString());
        assertTrue(up.out.contains("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_v_key\""), up.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_v_key' AND NOT i.indisvalid"));
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE version = '1' AND NOT success AND NOT transactional"));

        CliRun status = migrate(dir, url, "status");
        assertEquals(0, status.exitCode, status.toString());
        assertTrue(status.out.contains("1 failed") && status.out.contains("INVALID index left behind"), status.toString());
        CliRun json = migrate(dir, url, "status", "--format", "json");
        assertTrue(json.out.contains("\"failed\"") && json.out.contains("DROP INDEX CONCURRENTLY IF EXISTS"), json.out);

        CliRun again = migrate(dir, url, "up", "--yes");
        assertEquals(1, again.exitCode, again.toString());
        assertTrue(again.out.contains("not applying anything") && again.out.contains("migrate repair"), again.toString());

        CliRun refused = migrate(dir, url, "repair", "--yes");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.out.contains("repair refused") && refused.out.contains("DROP INDEX CONCURRENTLY IF EXISTS"), refused.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history"));

        exec(url, "DROP INDEX CONCURRENTLY IF EXISTS public.t_v_key", "DELETE FROM t WHERE id > 10");
        CliRun repair = migrate(dir, url, "repair", "--yes");
        assertEquals(0, repair.exitCode, repair.toString());
        assertTrue(migrate(dir, url, "status").out.contains("0 applied, 1 pending"));
        assertEquals(0, migrate(dir, url, "up", "--yes").exitCode);
        assertEquals(1, count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_v_key' AND i.indisvalid"));
    }

    @Test
    void safeModeRetriesAfterLockTimeoutsWithBackoffUntilTheLockIsReleased() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_retry");
        exec(url, "CREATE TABLE t (id int)");
        Files.writeString(dir.resolve("1_col.up.sql"), "ALTER TABLE t ADD COLUMN note text;\n");
        try (Connection holder = DriverManager.getConnection(url); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> migrate(dir, url, "up", "--yes", "--safe", "--lock-timeout", "300ms"),
                    r -> new Thread(r).start());
            // Once the first attempt waits on the lock, it times out after 0.3 s and sleeps 1 s; the lock goes in between.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (count(url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE t ADD COLUMN note%'") == 0) {
                assertTrue(System.nanoTime() < deadline, "the migration never waited on the lock");
                Thread.sleep(20);
            }
            Thread.sleep(600);
            holder.rollback();
            CliRun r = run.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode, r.toString());
            assertTrue(r.out.contains("1 retry(ies) after lock_timeout"), r.toString());
        }
        assertEquals(1, count(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'"));
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
    }

    @Test
    void safeModeGivesUpAfterItsRetriesAndRecordsTheFailure() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_retryfail");
        exec(url, "CREATE TABLE t (id int)");
        Files.writeString(dir.resolve("1_col.up.sql"), "ALTER TABLE t ADD COLUMN note text;\n");
        try (Connection holder = DriverManager.getConnection(url); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            CliRun r = migrate(dir, url, "up", "--yes", "--safe", "--lock-timeout", "100ms", "--retries", "1");
            assertEquals(1, r.exitCode, r.toString());
            assertTrue(r.out.contains("55P03") && r.out.contains("after 1 retries") && r.out.contains("retry "), r.toString());
            holder.rollback();
        }
        assertEquals(0, count(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'"));
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE NOT success"));
    }

    @Test
    void baselineAdoptsAnExistingDatabaseAndUpAppliesOnlyWhatIsAbove() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_baseline");
        exec(url, "CREATE TABLE a (id int)", "CREATE TABLE b (id int)");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
        Files.writeString(dir.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n");
        Files.writeString(dir.resolve("3_c.up.sql"), "CREATE TABLE c (id int);\n");
        CliRun base = migrate(dir, url, "baseline", "--version", "2", "--yes");
        assertEquals(0, base.exitCode, base.toString());
        CliRun status = migrate(dir, url, "status");
        assertTrue(status.out.contains("1 pending") && status.out.contains("3_c.up.sql"), status.toString());
        CliRun up = migrate(dir, url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertTrue(up.out.contains("1 of 1 applied"), up.toString());
        assertEquals(0, migrate(dir, url, "validate").exitCode);
        CliRun twice = migrate(dir, url, "baseline", "--version", "3", "--yes");
        assertEquals(1, twice.exitCode, twice.toString());
        assertTrue(twice.out.contains("baseline refused"), twice.toString());
    }

    @Test
    void variablesAreSubstitutedQuotedAndAMissingOneIsAClearError() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_vars");
        exec(url, "CREATE SCHEMA \"App Data\"");
        Files.writeString(dir.resolve("1_t.up.sql"), "CREATE TABLE ${ident:schema}.t (id int);\n"
                + "COMMENT ON TABLE ${ident:schema}.t IS ${literal:note};\n");
        CliRun missing = migrate(dir, url, "up", "--yes");
        assertTrue(missing.exitCode != 0, missing.toString());
        assertTrue(missing.out.contains("${ident:schema} names no variable") && missing.out.contains("--set schema="), missing.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 't'"));
        CliRun up = migrate(dir, url, "up", "--yes", "--set", "schema=App Data", "--set", "note=it's; DROP TABLE x --");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid "
                + "WHERE c.relname = 't' AND c.relnamespace = '\"App Data\"'::regnamespace AND d.description = 'it''s; DROP TABLE x --'"));
    }

    @Test
    void theServerDyingMidMigrationLeavesTheHistoryConsistent() throws Exception {
        Path dir = Files.createTempDirectory("migrate-crash");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
        // Slow only until the marker exists, so the run after the crash does not wait.
        Files.writeString(dir.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n"
                + "SELECT pg_sleep(CASE WHEN to_regclass('crash_marker') IS NULL THEN 30 ELSE 0 END) /* migrate-crash-test */;\n");
        Files.writeString(dir.resolve("3_c.up.sql"), "CREATE TABLE c (id int);\n");
        // Durable commits as in production: the sandbox's default (asynchronous commit) may lose the last
        // commits in a crash, which is what sandboxes are for, but not what this test is about.
        try (io.pgrunbook.db.Sandbox server = io.pgrunbook.db.Sandbox.start(
                io.pgrunbook.db.SandboxOptions.defaults().withSetting("synchronous_commit", "on"))) {
            String url = server.jdbcUrl();
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> migrate(dir, url, "up", "--yes"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%migrate-crash-test%' AND pid <> pg_backend_pid()") == 0) {
                assertTrue(System.nanoTime() < deadline, "migration 2 never started");
                Thread.sleep(50);
            }
            io.pgrunbook.db.SandboxCrash.crash(server);
            CliRun crashed = run.get(60, TimeUnit.SECONDS);
            assertEquals(1, crashed.exitCode, crashed.toString());
            assertTrue(crashed.out.contains("lost its connection to the server") && crashed.out.contains("migrate status"), crashed.out);

            io.pgrunbook.db.SandboxCrash.restart(server);
            assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history"), "only migration 1 is recorded");
            assertEquals(1, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'a'"));
            assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'b'"), "migration 2 was rolled back by the crash");
            CliRun status = migrate(dir, url, "status");
            assertTrue(status.out.contains("1 applied, 2 pending, 0 failed"), status.toString());

            exec(url, "CREATE TABLE crash_marker ()");
            CliRun again = migrate(dir, url, "up", "--yes");
            assertEquals(0, again.exitCode, again.toString());
            assertEquals(3, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
        }
    }
}
