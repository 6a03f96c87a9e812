package io.pgrunbook.steps.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.RunbookInvalidException;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every check of the catalog made to pass and made to fail against the real sandbox server, in one
 * shared database holding the problems (and their absence) the checks must tell apart.
 */
@ExtendWith(TestPostgres.class)
class ChecksCatalogTest {
    static final StepRegistry REGISTRY = StepRegistry.load();
    static String db;

    @BeforeAll
    static void fixtures() throws Exception {
        db = TestPostgres.shared().createDatabase("checks");
        exec(db, """
                CREATE TABLE keyed (id bigint PRIMARY KEY, v int, note text);
                INSERT INTO keyed SELECT g, g % 100, 'n' || g FROM generate_series(1, 20000) g;
                CREATE INDEX keyed_v_idx ON keyed (v);
                CREATE INDEX keyed_v_dup_idx ON keyed (v);
                CREATE TABLE no_pk (a int, b text);
                CREATE TABLE parent (id int PRIMARY KEY);
                CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
                CREATE TABLE child_indexed (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
                CREATE INDEX ON child_indexed (parent_id);
                CREATE TABLE ext_storage_records (id bigint PRIMARY KEY)
                    WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
                CREATE TABLE untuned (id bigint PRIMARY KEY);
                CREATE SEQUENCE nearly_done MAXVALUE 100;
                SELECT setval('nearly_done', 95);
                CREATE SEQUENCE fresh;
                SELECT nextval('fresh');
                CREATE TABLE dupes (x int);
                INSERT INTO dupes VALUES (1), (1);
                CREATE TABLE bloated (id int, pad text);
                INSERT INTO bloated SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
                DELETE FROM bloated WHERE id % 20 <> 0;
                CREATE TABLE tenant_docs (id int PRIMARY KEY, tenant_id text NOT NULL, body text);
                INSERT INTO tenant_docs VALUES (1, 'a', 'x'), (2, 'a', 'y'), (3, 'b', 'z');
                ALTER TABLE tenant_docs ENABLE ROW LEVEL SECURITY;
                ALTER TABLE tenant_docs FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON tenant_docs FOR ALL USING (tenant_id = current_setting('app.current_tenant_id'));
                CREATE TABLE leaky_docs (id int PRIMARY KEY, tenant_id text NOT NULL);
                INSERT INTO leaky_docs VALUES (1, 'a'), (2, 'b');
                ALTER TABLE leaky_docs ENABLE ROW LEVEL SECURITY;
                CREATE POLICY everyone ON leaky_docs FOR ALL USING (true);
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'checks_app') THEN CREATE ROLE checks_app LOGIN; END IF;
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'checks_noperm') THEN CREATE ROLE checks_noperm LOGIN; END IF;
                END $$;
                GRANT SELECT ON tenant_docs, leaky_docs TO checks_app;
                """);
        exec(db, "ALTER ROLE checks_app IN DATABASE " + dbName() + " SET statement_timeout = '750ms'");
        // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index behind.
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_x_key ON dupes (x)");
        } catch (SQLException expected) {
            // duplicate key: the index stays, invalid
        }
        exec(db, "VACUUM ANALYZE bloated; ANALYZE keyed");
    }

    // ---- helpers -------------------------------------------------------------------------------

    static String dbName() {
        return db.replaceAll(".*/([^/?]+).*", "$1");
    }

    static void exec(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Runs a runbook of the given steps (YAML) against the test database. */
    static RunReport run(String url, String steps) {
        String text = "name: t\ndefaults: { timeout: 15s, on_failure: continue, severity: critical }\nsteps:\n" + steps;
        Runbook runbook = new RunbookLoader(REGISTRY).parse(text, "test.yaml", Map.of(), Map.of())
                .withTargetConnection(RunbookLoader.IMPLICIT_TARGET, url);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult one(String type, String with) {
        return only(run(db, "  - id: c\n    type: " + type + "\n" + (with.isEmpty() ? "" : "    with: " + with + "\n")));
    }

    static StepResult only(RunReport report) {
        assertThat(report.steps()).hasSize(1);
        return report.steps().get(0);
    }

    static List<Map<String, Object>> rows(StepResult step) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> row : step.evidence().rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < step.evidence().columns().size(); i++) {
                m.put(step.evidence().columns().get(i), row.get(i));
            }
            out.add(m);
        }
        return out;
    }

    static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    // ---- sessions ------------------------------------------------------------------------------

    @Test
    void connectionsPassByDefaultAndBreachLowThresholds() {
        StepResult ok = one("check.connections", "");
        assertThat(ok.status()).isEqualTo(Status.PASS);
        assertThat(rows(ok).get(0)).containsKeys("active", "idle", "idle_in_transaction", "max_connections", "used_pct");
        assertThat(one("check.connections", "{ warning: 0, critical: 100 }").status()).isEqualTo(Status.WARN);
        StepResult fail = one("check.connections", "{ warning: 0, critical: 0 }");
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(fail.message()).contains("PgBouncer");
        assertThat(fail.metrics()).extracting(m -> m.name()).contains("pgrunbook_check_value", "pgrunbook_check_critical_threshold");
    }

    @Test
    void idleTransactionLongRunningAndBlockedSessionsAreFound() throws Exception {
        assertThat(one("check.blocked", "{ warning: 0s }").status()).isEqualTo(Status.PASS);
        try (Connection holder = DriverManager.getConnection(db); Connection waiter = DriverManager.getConnection(db)) {
            int holderPid = pid(holder);
            int waiterPid = pid(waiter);
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE parent SET id = id WHERE false; LOCK TABLE no_pk IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try (Statement s = waiter.createStatement()) {
                    s.execute("SELECT count(*) FROM no_pk");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (one("check.blocked", "{ warning: 0s }").status() == Status.PASS && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(1100);
                StepResult b = one("check.blocked", "{ warning: 0s, critical: 1h }");
                assertThat(b.status()).isEqualTo(Status.WARN);
                assertThat(rows(b)).anySatisfy(r -> assertThat(r).containsEntry("blocked_pid", (long) waiterPid)
                        .containsEntry("blocking_pid", (long) holderPid).containsEntry("blocking_state", "idle in transaction"));
                assertThat(one("check.blocked", "{ warning: 0s, critical: 1s }").status()).isEqualTo(Status.FAIL);

                StepResult idle = one("check.idle_in_transaction", "{ warning: 1s, critical: 1h }");
                assertThat(idle.status()).isEqualTo(Status.WARN);
                assertThat(rows(idle)).extracting(r -> r.get("pid")).containsExactly((long) holderPid);
                assertThat(one("check.idle_in_transaction", "{ warning: 500ms, critical: 1s }").status()).isEqualTo(Status.FAIL);
                // A threshold not reached passes (an explicit one: on a loaded machine this test can outlast the 30 s default).
                assertThat(one("check.idle_in_transaction", "{ warning: 1h, critical: 2h }").status()).isEqualTo(Status.PASS);

                StepResult longRunning = one("check.long_running", "{ warning: 1s, critical: 1s }");
                assertThat(longRunning.status()).isEqualTo(Status.FAIL);
                assertThat(rows(longRunning)).extracting(r -> r.get("pid")).contains((long) holderPid, (long) waiterPid);
                StepResult activeOnly = one("check.long_running", "{ warning: 1s, critical: 1h, include_idle_in_transaction: false }");
                assertThat(rows(activeOnly)).extracting(r -> r.get("pid")).containsExactly((long) waiterPid);
                assertThat(one("check.long_running", "").status()).isEqualTo(Status.PASS);
            } finally {
                holder.rollback();
                blocked.get(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---- indexes and tables --------------------------------------------------------------------

    @Test
    void indexChecksFindTheUnusedDuplicateAndInvalidIndexes() {
        StepResult unused = one("check.unused_indexes", "{ min_table_size: 0 }");
        assertThat(unused.status()).isEqualTo(Status.WARN); // severity critical, but only a warning threshold by default
        assertThat(rows(unused)).extracting(r -> r.get("index_name")).contains("keyed_v_idx", "keyed_v_dup_idx")
                .doesNotContain("keyed_pkey");
        assertThat(one("check.unused_indexes", "{ min_table_size: 1GB }").status()).isEqualTo(Status.PASS);
        assertThat(one("check.unused_indexes", "{ min_table_size: 0, critical: 2 }").status()).isEqualTo(Status.FAIL);

        StepResult dup = one("check.duplicate_indexes", "");
        assertThat(dup.status()).isEqualTo(Status.WARN);
        assertThat(rows(dup)).extracting(r -> r.get("index_b")).containsExactly("keyed_v_dup_idx");

        StepResult invalid = one("check.invalid_indexes", "{ critical: 1 }");
        assertThat(invalid.status()).isEqualTo(Status.FAIL);
        assertThat(rows(invalid)).extracting(r -> r.get("index_name")).containsExactly("dupes_x_key");
        assertThat(invalid.message()).contains("REINDEX");
    }

    @Test
    void tablesWithoutKeysAndForeignKeysWithoutIndexes() {
        StepResult noPk = one("check.tables_without_pk", "");
        assertThat(rows(noPk)).extracting(r -> r.get("table_name")).contains("no_pk", "dupes", "bloated")
                .doesNotContain("keyed", "parent");
        StepResult noIndex = one("check.tables_without_pk", "{ require: any_index }");
        assertThat(rows(noIndex)).extracting(r -> r.get("table_name")).contains("no_pk", "bloated").doesNotContain("dupes");
        StepResult fk = one("check.fk_without_index", "{ critical: 1 }");
        assertThat(fk.status()).isEqualTo(Status.FAIL);
        assertThat(rows(fk)).extracting(r -> r.get("table_name")).containsExactly("child");
        assertThat(rows(fk).get(0)).containsEntry("columns", "parent_id").containsEntry("references_table", "parent");
    }

    @Test
    void explainSaysWhetherTheQueryUsesAnIndex() {
        StepResult ok = one("check.explain_uses_index", "{ query: \"SELECT * FROM keyed WHERE id = 42\", table: keyed }");
        assertThat(ok.status()).as(ok.message()).isEqualTo(Status.PASS);
        assertThat(rows(ok).get(0)).containsEntry("index_name", "keyed_pkey");
        StepResult seq = one("check.explain_uses_index", "{ query: \"SELECT * FROM keyed WHERE note = 'n5'\", table: keyed }");
        assertThat(seq.status()).isEqualTo(Status.FAIL);
        assertThat(rows(seq).get(0)).containsEntry("node_type", "Seq Scan");
        assertThat(one("check.explain_uses_index", "{ query: \"SELECT * FROM keyed WHERE id = 42\", index: keyed_v_idx }").status())
                .isEqualTo(Status.FAIL);
    }

    @Test
    void indexUsageShareIsJudgedPerTable() throws SQLException {
        exec(db, "SELECT count(*) FROM keyed WHERE note = 'x'; SELECT count(*) FROM keyed WHERE note = 'y'");
        try (Connection c = DriverManager.getConnection(db)) {
            c.close(); // statistics are flushed when sessions end
        }
        StepResult low = one("check.index_usage", "{ min_rows: 1000, min_scans: 1, warning: 100, critical: 99.99 }");
        assertThat(rows(low)).extracting(r -> r.get("table_name")).contains("keyed");
        assertThat(low.status()).isIn(Status.FAIL);
        assertThat(one("check.index_usage", "{ min_rows: 1000000 }").status()).isEqualTo(Status.PASS);
    }

    // ---- vacuum and storage ------------------------------------------------------------------

    @Test
    void deadTuplesAndMaintenanceAgeAreReported() throws Exception {
        exec(db, "CREATE TABLE churn (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false);"
                + "INSERT INTO churn SELECT g, 0 FROM generate_series(1, 2000) g");
        exec(db, "UPDATE churn SET v = 1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        StepResult dead;
        do {
            dead = one("check.dead_tuples", "{ min_dead: 1000, warning: 0.5, critical: 2 }");
        } while (dead.status() == Status.PASS && System.nanoTime() < deadline && sleep());
        assertThat(dead.status()).isEqualTo(Status.WARN);
        assertThat(rows(dead)).extracting(r -> r.get("table_name")).containsExactly("churn");
        assertThat(one("check.dead_tuples", "{ min_dead: 1000, warning: 0.5, critical: 0.9 }").status()).isEqualTo(Status.FAIL);
        assertThat(one("check.dead_tuples", "").status()).isEqualTo(Status.PASS);

        StepResult age = one("check.maintenance_age", "{ warning: 0s, critical: 1d, min_rows: 1000 }");
        assertThat(age.status()).isEqualTo(Status.WARN);
        assertThat(rows(age)).extracting(r -> r.get("table_name")).contains("churn");
        assertThat(one("check.maintenance_age", "{ min_rows: 1000 }").status()).isEqualTo(Status.PASS);
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    @Test
    void autovacuumSettingsOfTheReadinessRunbook() {
        StepResult tuned = one("check.autovacuum_settings", "{ table: ext_storage_records }");
        assertThat(tuned.status()).as(tuned.message()).isEqualTo(Status.PASS);
        StepResult untuned = one("check.autovacuum_settings", "{ table: untuned, critical: 1 }");
        assertThat(untuned.status()).isEqualTo(Status.FAIL);
        assertThat(rows(untuned)).extracting(r -> r.get("ok")).containsExactly(false, false);
        assertThat(untuned.message()).contains("ALTER TABLE");
    }

    @Test
    void bloatSequencesAndDatabaseSize() {
        StepResult bloat = one("check.bloat", "{ min_size: 100kB }");
        assertThat(bloat.status()).as(bloat.message()).isEqualTo(Status.FAIL);
        assertThat(rows(bloat).get(0)).containsEntry("name", "bloated");
        assertThat(one("check.bloat", "{ min_size: 1GB }").status()).isEqualTo(Status.PASS);

        StepResult seq = one("check.sequences", "");
        assertThat(seq.status()).isEqualTo(Status.FAIL);
        assertThat(rows(seq).get(0)).containsEntry("sequence_name", "nearly_done").containsEntry("level", "critical");
        assertThat(one("check.sequences", "{ warning: 99, critical: 100 }").status()).isEqualTo(Status.PASS);
        // A warning step that crosses the critical threshold is WARN, and its rows say warning too.
        StepResult capped = only(run(db, "  - id: c\n    type: check.sequences\n    severity: warning\n"));
        assertThat(capped.status()).isEqualTo(Status.WARN);
        assertThat(rows(capped).get(0)).containsEntry("sequence_name", "nearly_done").containsEntry("level", "warning");

        assertThat(one("check.database_size", "{ capacity: 100GB }").status()).isEqualTo(Status.PASS);
        StepResult full = one("check.database_size", "{ capacity: 1MB }");
        assertThat(full.status()).isEqualTo(Status.FAIL);
        assertThat(full.message()).contains("used_pct");
    }

    @Test
    void xidWraparoundCacheAndCheckpoints() throws SQLException {
        assertThat(one("check.xid_wraparound", "").status()).isEqualTo(Status.PASS);
        assertThat(one("check.xid_wraparound", "{ warning: 0, critical: 0 }").status()).isEqualTo(Status.FAIL);

        assertThat(one("check.cache_hit_ratio", "{ min_blocks: 100000000000 }").status()).isEqualTo(Status.PASS);
        StepResult strict = one("check.cache_hit_ratio", "{ min_blocks: 0, warning: 100, critical: 0 }");
        assertThat(strict.status()).isEqualTo(Status.WARN);

        exec(db, "CHECKPOINT");
        StepResult cp = one("check.checkpoints", "{ min_checkpoints: 1, warning: 0, critical: 0 }");
        assertThat(cp.status()).isEqualTo(Status.FAIL);
        assertThat(one("check.checkpoints", "{ min_checkpoints: 1000000 }").status()).isEqualTo(Status.PASS);
    }

    // ---- server, replication, extensions -------------------------------------------------------

    @Test
    void settingsOfTheServerAndOfARole() {
        StepResult server = one("check.settings", "{ expected: { max_connections: { min: 10 }, checkpoint_completion_target: 0.9 } }");
        assertThat(server.status()).as(server.message()).isEqualTo(Status.PASS);
        StepResult wrong = one("check.settings", "{ expected: { work_mem: 999MB, shared_buffers: { min: 64GB } }, critical: 1 }");
        assertThat(wrong.status()).isEqualTo(Status.FAIL);
        assertThat(rows(wrong)).extracting(r -> r.get("ok")).containsExactly(false, false);

        StepResult role = one("check.settings", "{ role: checks_app, expected: { statement_timeout: 750ms } }");
        assertThat(role.status()).as(role.message()).isEqualTo(Status.PASS);
        assertThat(rows(role).get(0)).containsEntry("source", "role in database");
        assertThat(one("check.settings", "{ role: checks_app, expected: { statement_timeout: 15s } }").status()).isEqualTo(Status.WARN);
        StepResult noRole = one("check.settings", "{ role: nobody_here, expected: { statement_timeout: 15s } }");
        assertThat(noRole.status()).isEqualTo(Status.ERROR);
        assertThat(noRole.message()).contains("nobody_here");
    }

    @Test
    void serverVersionAgainstMinimums() {
        assertThat(one("check.server_version", "{ warning: 13, critical: 12 }").status()).isEqualTo(Status.PASS);
        assertThat(one("check.server_version", "{ warning: 99, critical: 12 }").status()).isEqualTo(Status.WARN);
        StepResult old = one("check.server_version", "{ warning: 99, critical: 99 }");
        assertThat(old.status()).isEqualTo(Status.FAIL);
        assertThat(old.evidence().expected()).contains(">= 99");
    }

    @Test
    void walArchivingOffFailsOnTheSandbox() {
        StepResult wal = one("check.wal_archiving", "");
        // The sandbox runs without archive_mode: the check must see it.
        assertThat(wal.status()).isEqualTo(Status.FAIL);
        assertThat(rows(wal)).anySatisfy(r -> assertThat(r).containsEntry("condition", "archive_mode is on").containsEntry("ok", false));
    }

    @Test
    void replicationSlotsAndReplicaLag() throws SQLException {
        String slot = "checks_slot_" + ProcessHandle.current().pid();
        exec(db, "SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            StepResult s = one("check.replication_slots", "{ warning: 0, critical: 10GB }");
            assertThat(s.status()).isEqualTo(Status.WARN);
            assertThat(rows(s)).anySatisfy(r -> assertThat(r).containsEntry("slot_name", slot).containsEntry("active", false));
            assertThat(one("check.replication_slots", "").status()).isEqualTo(Status.PASS);
        } finally {
            exec(db, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
        assertThat(one("check.replica_lag", "").status()).isEqualTo(Status.PASS);
        StepResult missing = one("check.replica_lag", "{ min_standbys: 1 }");
        assertThat(missing.status()).isEqualTo(Status.FAIL);
        assertThat(rows(missing).get(0)).containsEntry("state", "absent");
    }

    @Test
    void pgStatStatementsMissingIsSkipNotError() throws SQLException {
        String fresh = TestPostgres.shared().createDatabase("checks_pgss");
        RunReport before = run(fresh, """
                  - id: slow
                    type: check.slow_queries
                  - id: ext
                    type: check.extension
                    with: { names: [pg_stat_statements] }
                """);
        assertThat(before.steps().get(0).status()).isEqualTo(Status.SKIP);
        assertThat(before.steps().get(0).message()).contains("pg_stat_statements is not installed");
        assertThat(before.steps().get(1).status()).isEqualTo(Status.WARN);
        exec(fresh, "CREATE EXTENSION pg_stat_statements; SELECT pg_sleep(0.01); SELECT pg_sleep(0.01)");
        RunReport after = run(fresh, """
                  - id: slow
                    type: check.slow_queries
                    with: { min_calls: 1, warning: 5, critical: 100000 }
                  - id: ext
                    type: check.extension
                    with: { names: [pg_stat_statements] }
                """);
        assertThat(after.steps().get(0).status()).isEqualTo(Status.WARN);
        assertThat(rows(after.steps().get(0))).anySatisfy(r -> assertThat((String) r.get("query")).contains("pg_sleep"));
        assertThat(after.steps().get(1).status()).isEqualTo(Status.PASS);
    }

    // ---- row-level security --------------------------------------------------------------------

    @Test
    void rlsEnabledForcedAndPolicies() {
        assertThat(one("check.rls_enabled", "{ tables: [tenant_docs] }").status()).isEqualTo(Status.PASS);
        StepResult leaky = one("check.rls_enabled", "{ tables: [tenant_docs, leaky_docs, keyed] }");
        assertThat(leaky.status()).isEqualTo(Status.FAIL);
        assertThat(rows(leaky)).extracting(r -> r.get("table_name"), r -> r.get("ok")).containsExactly(
                org.assertj.core.groups.Tuple.tuple("leaky_docs", false), org.assertj.core.groups.Tuple.tuple("keyed", false),
                org.assertj.core.groups.Tuple.tuple("tenant_docs", true));
        assertThat(one("check.rls_policy", "{ tables: [tenant_docs] }").status()).isEqualTo(Status.PASS);
        StepResult noPolicy = one("check.rls_policy", "{ tables: [tenant_docs, leaky_docs] }");
        assertThat(noPolicy.status()).isEqualTo(Status.FAIL);
        assertThat(rows(noPolicy).get(0)).containsEntry("table_name", "leaky_docs").containsEntry("policies", "everyone");
    }

    @Test
    void rlsIsolationTestSeesOnlyTheTenantsRowsAndWritesNothing() throws SQLException {
        StepResult ok = one("check.rls_isolation", "{ table: tenant_docs, role: checks_app, tenant: a }");
        assertThat(ok.status()).as(ok.message()).isEqualTo(Status.PASS);
        assertThat(rows(ok)).extracting(r -> r.get("observed")).contains("2 rows", "0 rows of other tenants");
        StepResult leak = one("check.rls_isolation", "{ table: leaky_docs, role: checks_app, tenant: a }");
        assertThat(leak.status()).isEqualTo(Status.FAIL);
        assertThat(rows(leak)).extracting(r -> r.get("observed")).contains("1 rows of other tenants")
                .as("checks_app does not own leaky_docs").doesNotContain("owns the table, RLS not forced");
        assertThat(one("check.rls_isolation", "{ table: tenant_docs, role: checks_app, tenant: nobody }").status())
                .as("a tenant with no rows proves nothing").isEqualTo(Status.FAIL);
        // nothing outlived the read-only transaction: the pooled session is back to its own role and no tenant
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM tenant_docs")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
    }

    // ---- faults ----------------------------------------------------------------------------------

    @Test
    void aMissingTableErrorsThatStepAndTheRestContinues() {
        RunReport report = run(db, """
                  - id: missing
                    type: check.autovacuum_settings
                    with: { table: no_such_table }
                  - id: after
                    type: check.connections
                """);
        assertThat(report.steps().get(0).status()).isEqualTo(Status.ERROR);
        assertThat(report.steps().get(0).message()).contains("no_such_table").contains("not found");
        assertThat(report.steps().get(0).sqlState()).isEqualTo("42P01");
        assertThat(report.steps().get(1).status()).isEqualTo(Status.PASS);
    }

    @Test
    void aThresholdOfTheWrongTypeIsALoaderError() {
        assertThatThrownBy(() -> run(db, "  - id: x\n    type: check.long_running\n    with: { warning: lots }\n"))
                .isInstanceOf(RunbookInvalidException.class).hasMessageContaining("with.warning").hasMessageContaining("duration");
        assertThatThrownBy(() -> run(db, "  - id: x\n    type: check.connections\n    with: { warning: high }\n"))
                .isInstanceOf(RunbookInvalidException.class).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> run(db, "  - id: x\n    type: check.replication_slots\n    with: { warning: huge }\n"))
                .isInstanceOf(RunbookInvalidException.class).hasMessageContaining("size such as 512MB");
        assertThatThrownBy(() -> run(db, "  - id: x\n    type: check.connections\n    with: { warning: 90, critical: 50 }\n"))
                .isInstanceOf(RunbookInvalidException.class).hasMessageContaining("warning must come first");
    }

    @Test
    void aRoleThatCannotReadAStatisticsViewGetsAnErrorWithTheReason() throws SQLException {
        String locked = TestPostgres.shared().createDatabase("checks_noperm");
        exec(locked, "REVOKE SELECT ON pg_catalog.pg_stat_archiver FROM PUBLIC");
        String asNoperm = locked.replace("user=postgres", "user=checks_noperm");
        RunReport report = run(asNoperm, """
                  - id: wal
                    type: check.wal_archiving
                  - id: after
                    type: check.server_version
                    with: { warning: 13, critical: 12 }
                """);
        assertThat(report.steps().get(0).status()).isEqualTo(Status.ERROR);
        assertThat(report.steps().get(0).message()).contains("permission denied").contains("pg_stat_archiver");
        assertThat(report.steps().get(1).status()).isEqualTo(Status.PASS);
    }
}
