package io.pgrunbook.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * runbooks/health.yaml against a real server: a fresh database with the sample schema, whose demo_
 * objects are the problems the runbook must find, and live sessions that block and run long.
 */
@ExtendWith(TestPostgres.class)
class HealthRunbookTest {
    static final Path HEALTH = Path.of("runbooks/health.yaml");
    static final Path SAMPLE = Path.of("runbooks/sample/storage-schema.sql");

    private static String sampleDb;
    private static RunReport defaultRun;

    @BeforeAll
    static void loadSampleAndRunOnce() throws Exception {
        sampleDb = TestPostgres.shared().createDatabase("health");
        loadSample(sampleDb);
        defaultRun = run(sampleDb, Map.of());
    }

    static void loadSample(String jdbcUrl) throws Exception {
        String sql = Files.readString(SAMPLE, StandardCharsets.UTF_8);
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static RunReport run(String jdbcUrl, Map<String, String> sets) {
        Runbook runbook = new RunbookLoader(StepRegistry.load()).load(HEALTH, sets, Map.of())
                .withTargetConnection(RunbookLoader.IMPLICIT_TARGET, jdbcUrl);
        return new Engine(StepRegistry.load()).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static Map<String, Status> statuses(RunReport report) {
        Map<String, Status> out = new LinkedHashMap<>();
        report.steps().forEach(s -> out.put(s.stepId(), s.status()));
        return out;
    }

    static StepResult step(RunReport report, String id) {
        return report.steps().stream().filter(s -> s.stepId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + id + " in the report"));
    }

    /** The evidence rows of a step as column-name maps. */
    static List<Map<String, Object>> rows(StepResult step) {
        Evidence e = step.evidence();
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> row : e.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < e.columns().size(); i++) {
                m.put(e.columns().get(i), row.get(i));
            }
            out.add(m);
        }
        return out;
    }

    @Test
    void sampleSchemaGivesTheExpectedStatusForEveryStep() {
        assertThat(statuses(defaultRun)).containsExactly(
                Map.entry("long-running-queries", Status.PASS),
                Map.entry("connection-usage", Status.PASS),
                Map.entry("blocked-queries", Status.PASS),
                Map.entry("cache-hit-ratio", Status.PASS),
                Map.entry("tables-without-index", Status.WARN),
                Map.entry("unused-indexes", Status.PASS),
                Map.entry("duplicate-indexes", Status.WARN),
                Map.entry("dead-tuples", Status.PASS),
                Map.entry("pg-stat-statements", Status.WARN),
                Map.entry("slow-queries", Status.SKIP));
        // Everything is a warning: the run passes (exit 0) and tells the DBA what to look at.
        assertThat(defaultRun.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(defaultRun.steps()).noneMatch(s -> s.status() == Status.ERROR);
    }

    @Test
    void duplicateIndexesReportTheDemoPairOnceAndNotTheOtherOperatorClass() {
        StepResult dup = step(defaultRun, "duplicate-indexes");
        assertThat(dup.evidence().totalRows()).isEqualTo(1);
        Map<String, Object> pair = rows(dup).get(0);
        assertThat(pair).containsEntry("table_name", "ext_storage_usage")
                .containsEntry("index_a", "ext_storage_usage_pkey")
                .containsEntry("index_b", "demo_ext_storage_usage_dup_idx")
                .containsEntry("a_enforces_constraint", true)
                .containsEntry("b_enforces_constraint", false);
        // ext_storage_records_namespace_prefix_idx has the primary key's columns (the same indkey)
        // but text_pattern_ops: a check on indkey alone would wrongly call it a duplicate.
        assertThat(rows(dup)).noneMatch(r -> r.containsValue("ext_storage_records_namespace_prefix_idx"));
        assertThat(dup.message()).contains("DROP INDEX CONCURRENTLY");
    }

    @Test
    void tablesWithoutIndexFlagTheDemoTableOnly() {
        StepResult t = step(defaultRun, "tables-without-index");
        assertThat(rows(t)).extracting(r -> r.get("table_name")).containsExactly("demo_import_staging");
        assertThat(rows(t).get(0)).containsEntry("schema", "public").containsEntry("estimated_rows", 500L);
    }

    @Test
    void connectionUsageIsComputedAgainstUsableSlots() throws SQLException {
        Map<String, Object> row = rows(step(defaultRun, "connection-usage")).get(0);
        int max;
        try (Connection c = DriverManager.getConnection(sampleDb); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('max_connections')::int")) {
            rs.next();
            max = rs.getInt(1);
        }
        assertThat(row.get("max_connections")).isEqualTo((long) max);
        assertThat((Long) row.get("connections")).isPositive(); // at least the runbook's own session
        long usable = max - (Long) row.get("reserved");
        assertThat(((Number) row.get("used_pct")).doubleValue())
                .isCloseTo(100.0 * (Long) row.get("connections") / usable, org.assertj.core.data.Offset.offset(0.05));
        assertThat(row.get("level")).isEqualTo("ok");

        // At a threshold the current connections reach, the critical step fails the run.
        RunReport crowded = run(sampleDb, Map.of("connections_max_pct", "0"));
        assertThat(step(crowded, "connection-usage").status()).isEqualTo(Status.FAIL);
        assertThat(rows(step(crowded, "connection-usage")).get(0)).containsEntry("level", "critical");
        assertThat(crowded.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
    }

    @Test
    void unusedIndexesSkipConstraintIndexesAndSmallTablesByDefault() {
        assertThat(step(defaultRun, "unused-indexes").status()).isEqualTo(Status.PASS);

        RunReport everySize = run(sampleDb, Map.of("unused_index_min_table_size", "0"));
        StepResult unused = step(everySize, "unused-indexes");
        assertThat(unused.status()).isEqualTo(Status.WARN);
        assertThat(rows(unused)).extracting(r -> r.get("index_name")).contains(
                "demo_ext_storage_usage_dup_idx", "ext_storage_records_namespace_prefix_idx", "ext_storage_records_ttl_idx");
        // Primary keys are never scanned by the sample either, but they enforce a constraint.
        assertThat(rows(unused)).extracting(r -> (String) r.get("index_name")).noneMatch(n -> n.endsWith("_pkey"));
    }

    @Test
    void cacheHitRatioWarnsWhenBelowTheThresholdOnceThereAreEnoughReads() throws SQLException {
        long read;
        try (Connection c = DriverManager.getConnection(sampleDb); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT blks_read FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            read = rs.getLong(1);
        }
        assertThat(read).as("loading the sample read blocks from disk").isPositive();
        RunReport strict = run(sampleDb, Map.of("cache_hit_min_pct", "100", "cache_min_blocks", "0"));
        StepResult cache = step(strict, "cache-hit-ratio");
        assertThat(cache.status()).isEqualTo(Status.WARN);
        // hit_pct is judged (not null: enough block accesses) and below 100: a warning, the step's severity.
        assertThat(rows(cache).get(0)).containsEntry("level", "warning").extractingByKey("hit_pct").isNotNull();
        assertThat(((Number) rows(cache).get(0).get("hit_pct")).doubleValue()).isLessThan(100.0);
        // With the default min_blocks of 10000 a database this young has too few accesses to judge.
        StepResult young = step(run(sampleDb, Map.of("cache_hit_min_pct", "100", "cache_min_blocks", "100000000")), "cache-hit-ratio");
        assertThat(young.status()).isEqualTo(Status.PASS);
        assertThat(rows(young).get(0)).containsEntry("hit_pct", null).containsEntry("level", "not judged");
    }

    @Test
    void freshEmptyDatabasePassesAndPgStatStatementsIsFoundOnceCreated() throws SQLException {
        String empty = TestPostgres.shared().createDatabase("health_empty");
        RunReport before = run(empty, Map.of());
        assertThat(before.steps()).allMatch(s -> s.status() == Status.PASS
                || s.stepId().equals("pg-stat-statements") && s.status() == Status.WARN
                || s.stepId().equals("slow-queries") && s.status() == Status.SKIP);
        assertThat(step(before, "pg-stat-statements").message()).contains("shared_preload_libraries");

        try (Connection c = DriverManager.getConnection(empty); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION pg_stat_statements"); // the sandbox preloads it
        }
        RunReport after = run(empty, Map.of());
        assertThat(step(after, "pg-stat-statements").status()).isEqualTo(Status.PASS);
        assertThat(step(after, "slow-queries").status()).isEqualTo(Status.PASS);
        assertThat(after.steps()).allMatch(s -> s.status() == Status.PASS);
    }

    @Test
    void blockedAndLongRunningSessionsAreReportedWithTheirBlocker() throws Exception {
        try (Connection holder = DriverManager.getConnection(sampleDb);
                Connection waiter = DriverManager.getConnection(sampleDb)) {
            int holderPid = pid(holder);
            int waiterPid = pid(waiter);
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE demo_import_staging SET raw = raw WHERE batch_id = 1 AND line_no = 1");
            }
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try (Statement s = waiter.createStatement()) {
                    s.executeUpdate("UPDATE demo_import_staging SET raw = raw || '' WHERE batch_id = 1 AND line_no = 1");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                awaitLockWait(waiterPid);
                Thread.sleep(1_200); // past long_running = 1 second for both sessions

                RunReport report = run(sampleDb, Map.of("blocked_min_wait", "0 seconds", "long_running", "1 second"));
                StepResult b = step(report, "blocked-queries");
                assertThat(b.status()).isEqualTo(Status.FAIL);
                assertThat(rows(b)).anySatisfy(r -> assertThat(r)
                        .containsEntry("blocked_pid", (long) waiterPid)
                        .containsEntry("blocking_pid", (long) holderPid)
                        .containsEntry("blocking_state", "idle in transaction")
                        .containsEntry("lock_type", "transactionid"));
                assertThat(b.message()).contains("pg_terminate_backend");

                StepResult longRunning = step(report, "long-running-queries");
                assertThat(longRunning.status()).isEqualTo(Status.FAIL);
                assertThat(rows(longRunning)).extracting(r -> r.get("pid"), r -> r.get("state")).contains(
                        org.assertj.core.groups.Tuple.tuple((long) holderPid, "idle in transaction"),
                        org.assertj.core.groups.Tuple.tuple((long) waiterPid, "active"));
                assertThat(report.steps()).noneMatch(s -> s.status() == Status.ERROR);
                assertThat(report.exitCode()).as("a blocked query is critical").isEqualTo(io.pgrunbook.error.ExitCode.CHECK_FAILED);

                // The default threshold ignores short lock waits: normal OLTP traffic.
                assertThat(step(run(sampleDb, Map.of()), "blocked-queries").status()).isEqualTo(Status.PASS);
            } finally {
                holder.rollback();
                blocked.get(10, TimeUnit.SECONDS);
            }
        }
        RunReport released = run(sampleDb, Map.of("blocked_min_wait", "0 seconds"));
        assertThat(step(released, "blocked-queries").status()).isEqualTo(Status.PASS);
    }

    @Test
    void deadTupleBacklogIsReportedAboveBothThresholds() throws Exception {
        String db = TestPostgres.shared().createDatabase("health_dead");
        loadSample(db);
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE demo_import_staging SET (autovacuum_enabled = false)");
            s.executeUpdate("UPDATE demo_import_staging SET raw = raw || '!'");
        } // closing the session flushes its statistics
        awaitDeadTuples(db, "demo_import_staging", 500);

        StepResult dead = step(run(db, Map.of("dead_tuples_min", "100", "dead_tuples_ratio", "0.5")), "dead-tuples");
        assertThat(dead.status()).isEqualTo(Status.WARN);
        assertThat(rows(dead)).extracting(r -> r.get("table_name")).containsExactly("demo_import_staging");
        // 500 dead against 500 live: not over a ratio of 2 live tuples.
        assertThat(step(run(db, Map.of("dead_tuples_min", "100", "dead_tuples_ratio", "2")), "dead-tuples").status())
                .isEqualTo(Status.PASS);
        // The default threshold (10000 dead tuples) is far above this small table.
        assertThat(step(run(db, Map.of()), "dead-tuples").status()).isEqualTo(Status.PASS);
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitLockWait(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = DriverManager.getConnection(sampleDb)) {
            while (System.nanoTime() < deadline) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = " + pid)) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("session " + pid + " never waited on the lock");
    }

    private static void awaitDeadTuples(String db, String table, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (Connection c = DriverManager.getConnection(db)) {
            while (System.nanoTime() < deadline) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
                    if (rs.next() && rs.getLong(1) >= atLeast) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("statistics never showed " + atLeast + " dead tuples in " + table);
    }
}
