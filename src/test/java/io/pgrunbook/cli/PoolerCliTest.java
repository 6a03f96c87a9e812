package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.PgBouncer;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command through a real PgBouncer 1.18 in transaction pooling (pool of 3 server connections:
 * the run lock pins one) in front of the test server: read-only runs work again and again, --lock keeps runs apart, and
 * what needs a session of its own refuses with exit 3 before it changes anything.
 */
@ExtendWith(TestPostgres.class)
class PoolerCliTest {
    @TempDir
    static Path dir;
    static PgBouncer bouncer;
    static String jdbc;
    static String database;

    @BeforeAll
    static void start() throws Exception {
        PgBouncer.assumeInstalled();
        jdbc = TestPostgres.shared().createDatabase("pooler");
        database = TestPostgres.databaseName(jdbc);
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("runbooks/sample/storage-schema.sql")));
        }
        bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 3);
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    String through() {
        return bouncer.url("postgres", database);
    }

    @Test
    void theHealthRunbookPassesAgainAndAgainFromConcurrentRuns() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<CliRun>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                runs.add(pool.submit(() -> CliRun.run("run", "runbooks/health.yaml", "--db", through(), "--no-color")));
            }
            for (Future<CliRun> f : runs) {
                CliRun r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.exitCode).as(r.toString()).isZero();
                assertThat(r.out).as(r.toString()).doesNotContain("ERROR ", "already exists", "read-only property");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameStatementManyTimesOnOneConnectionLeavesNoPreparedStatementBehind() throws Exception {
        // pgjdbc prepares a statement on the server from its fifth execution on a connection (S_1,
        // S_2, ...): through transaction pooling the next transaction may land on a server connection
        // that has it already, or lacks it (42P05 / 26000).
        StringBuilder yaml = new StringBuilder("name: repeat\ntargets:\n  default: { pool: { max: 1 } }\nsteps:\n");
        for (int i = 0; i < 20; i++) {
            yaml.append("  - id: s").append(i).append("\n    sql: SELECT count(*) FROM pg_class WHERE relkind = :k\n")
                    .append("    expect: { value: { gt: 0 } }\n");
        }
        yaml.append("vars:\n  k: r\n");
        Path runbook = Files.writeString(dir.resolve("repeat.yaml"), yaml.toString());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<CliRun>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> CliRun.run("run", runbook.toString(), "--db", through(), "--no-color")));
            }
            for (Future<CliRun> f : runs) {
                CliRun r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.exitCode).as(r.toString()).isZero();
                assertThat(r.out).contains("20 steps: 20 passed");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyCheckRunsInAReadOnlyTransactionOfItsOwn() throws Exception {
        Path runbook = Files.writeString(dir.resolve("readonly.yaml"), """
                name: readonly
                steps:
                  - id: read-only
                    sql: SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout
                    expect: { each: { ro: { eq: "on" }, timeout: { eq: "30s" } } }
                  - id: write-refused
                    sql: CREATE TABLE pooler_should_not_exist (id int)
                    severity: warning
                """);
        for (int i = 0; i < 3; i++) {
            CliRun r = CliRun.run("run", runbook.toString(), "--db", through(), "--no-color");
            assertThat(r.out).as(r.toString()).contains("PASS   read-only", "read-only transaction");
        }
        assertThat(scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'pooler_should_not_exist'")).isZero();
        // Nothing was left on the server connections the pool hands to others: no timeout, not read-only.
        String raw = "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + database + "?user=postgres&prepareThreshold=0";
        for (int i = 0; i < 6; i++) {
            try (Connection c = DriverManager.getConnection(raw); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('statement_timeout'), current_setting('transaction_read_only')")) {
                rs.next();
                assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("0 off");
            }
        }
    }

    @Test
    void lockKeepsTwoRunsApartAndIsGoneWhenTheRunEnds() throws Exception {
        Path slow = Files.writeString(dir.resolve("slow.yaml"), """
                name: slow-locked
                steps:
                  - id: sleep
                    sql: SELECT pg_sleep(3)
                """);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<CliRun> first = pool.submit(() -> CliRun.run("run", slow.toString(), "--lock", "--db", through(), "--no-color"));
            waitForAdvisoryLock(true);
            CliRun second = CliRun.run("run", slow.toString(), "--lock", "--db", through(), "--no-color");
            assertThat(second.exitCode).as(second.toString()).isEqualTo(3);
            assertThat(second.all()).contains("holds its lock");
            CliRun firstDone = first.get(60, TimeUnit.SECONDS);
            assertThat(firstDone.exitCode).as(firstDone.toString()).isZero();
            // A session-level lock would now sit on a pooled server connection; the transaction-level one is gone.
            waitForAdvisoryLock(false);
            CliRun third = CliRun.run("run", slow.toString(), "--lock", "--db", through(), "--no-color");
            assertThat(third.exitCode).as(third.toString()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eightConcurrentMigrateUpAllRefuseBeforeApplyingAnything() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CliRun>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(() -> CliRun.run("migrate", "up", "--dir", "runbooks/migrations", "--db", through(),
                        "--yes", "--no-color")));
            }
            for (Future<CliRun> f : runs) {
                CliRun r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
                assertThat(r.out).contains("PgBouncer 1.", "transaction pooling", "pool_mode = session", "nothing was run");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(scalar("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%schema_history%'")).isZero();
    }

    @Test
    void ttlSweepAndBackupRefuseWithExitThreeAndChangeNothing() throws Exception {
        long expired = scalar("SELECT count(*) FROM ext_storage_records WHERE expires_at < now()");
        CliRun sweep = CliRun.run("ttl-sweep", "--db", through(), "--yes", "--no-color");
        assertThat(sweep.exitCode).as(sweep.toString()).isEqualTo(3);
        assertThat(sweep.out).contains("goes through PgBouncer", "connect this target to the server directly");
        assertThat(scalar("SELECT count(*) FROM ext_storage_records WHERE expires_at < now()")).isEqualTo(expired);

        CliRun dryRun = CliRun.run("ttl-sweep", "--db", through(), "--dry-run", "--no-color");
        assertThat(dryRun.exitCode).as("a dry run only reads: " + dryRun).isZero();

        CliRun backup = CliRun.run("backup", "--db", through(), "--dir", dir.resolve("backups").toString(), "--no-color");
        assertThat(backup.exitCode).as(backup.toString()).isEqualTo(3);
        assertThat(backup.out).contains("child tool such as pg_dump");
        try (var files = Files.list(dir.resolve("backups"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("nothing but the destination's lock file")
                    .allMatch(name -> name.equals(".pgrunbook-backup.lock"));
        }
    }

    @Test
    void throughSessionPoolingEightConcurrentMigrateUpApplyEachMigrationOnce() throws Exception {
        String fresh = TestPostgres.shared().createDatabase("pooler_session");
        String name = TestPostgres.databaseName(fresh);
        try (PgBouncer session = PgBouncer.start(TestPostgres.shared().sandbox(), "session", 20)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<CliRun>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> CliRun.run("migrate", "up", "--dir", "runbooks/migrations",
                            "--db", session.url("postgres", name), "--yes", "--no-color")));
                }
                for (Future<CliRun> f : runs) {
                    CliRun r = f.get(180, TimeUnit.SECONDS);
                    assertThat(r.exitCode).as(r.toString()).isIn(0, 3);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (Connection c = DriverManager.getConnection(fresh); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT version), bool_and(success) FROM pgrunbook_schema_history"
                     + " WHERE kind = 'migration'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("history rows").isEqualTo(rs.getLong(2)).isPositive();
            assertThat(rs.getBoolean(3)).isTrue();
        }
    }

    @Test
    void shardMovePlansThroughThePoolerButItsRunRefusesBeforeCopying() throws Exception {
        MoveFixture f = MoveFixture.create("pooler_move", 60, 1);
        List<String> plan = new ArrayList<>(f.args("plan", "--no-color"));
        List<String> run = new ArrayList<>(f.args("run", "--yes", "--no-color"));
        for (int i = 0; i < 5; i++) {
            // Every shard through the pooler: same server, its database by name.
            String direct = f.urls.get(i);
            String pooled = bouncer.url("postgres", f.databases.get(i));
            plan.replaceAll(a -> a.endsWith("=" + direct) ? a.replace(direct, pooled) : a);
            run.replaceAll(a -> a.endsWith("=" + direct) ? a.replace(direct, pooled) : a);
        }
        assertThat(plan).noneMatch(a -> a.contains("jdbc:"));
        CliRun planned = CliRun.run(plan.toArray(String[]::new));
        assertThat(planned.exitCode).as(planned.toString()).isZero();
        assertThat(planned.out).contains("move shard0 -> shard4");
        CliRun moved = CliRun.run(run.toArray(String[]::new));
        assertThat(moved.exitCode).as(moved.toString()).isEqualTo(3);
        assertThat(moved.out).contains("goes through PgBouncer");
        assertThat(f.count(4, "SELECT count(*) FROM orders")).isZero();
    }

    static void waitForAdvisoryLock(boolean present) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if ((scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") > 0) == present) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("advisory lock " + (present ? "never taken" : "still held") + " after 20 s");
    }

    static long scalar(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
