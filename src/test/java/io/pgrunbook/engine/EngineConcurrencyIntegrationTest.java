package io.pgrunbook.engine;

import static io.pgrunbook.engine.EngineHarness.exec;
import static io.pgrunbook.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fan-out over targets, the run lock, and cancellation: the parts of the engine that involve more than one session. */
@ExtendWith(TestPostgres.class)
class EngineConcurrencyIntegrationTest {
    private static String dbA;
    private static String dbB;

    @BeforeAll
    static void databases() throws Exception {
        dbA = TestPostgres.shared().createDatabase("engine_fan_a");
        dbB = TestPostgres.shared().createDatabase("engine_fan_b");
        exec(dbA, "CREATE TABLE orphans (id int)");
        exec(dbB, "CREATE TABLE orphans (id int)", "INSERT INTO orphans VALUES (1), (2)");
    }

    private static Runbook twoTargets(String yaml) {
        return EngineHarness.parse(yaml).withTargetConnection("a", dbA).withTargetConnection("b", dbB);
    }

    @Test
    void fanOutRunsOnEachTargetInParallelAndTakesTheWorstStatus() {
        RunReport r = EngineHarness.run(twoTargets("""
                name: fan-out
                targets:
                  a: ~
                  b: ~
                steps:
                  - id: sleep
                    targets: [a, b]
                    parallel: 2
                    sql: SELECT pg_sleep(0.5), current_database() AS db
                  - id: orphans
                    targets: [a, b]
                    parallel: 2
                    sql: SELECT id FROM orphans
                    expect: { empty: true }
                  - id: only-a
                    target: a
                    sql: SELECT count(*) FROM orphans
                    expect: { value: 0 }
                """));
        StepResult sleep = step(r, "sleep");
        assertThat(sleep.status()).isEqualTo(Status.PASS);
        assertThat(sleep.target()).isNull();
        assertThat(sleep.children()).extracting(StepResult::target).containsExactly("a", "b");
        assertThat(sleep.children()).allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.PASS));
        assertThat(sleep.children().get(0).evidence().rows().get(0).get(1)).isEqualTo(TestPostgres.databaseName(dbA));
        assertThat(sleep.children().get(1).evidence().rows().get(0).get(1)).isEqualTo(TestPostgres.databaseName(dbB));
        // Two half-second sleeps one after the other would take at least a second.
        assertThat(sleep.duration()).isLessThan(Duration.ofMillis(900));
        assertThat(sleep.children()).allSatisfy(c -> assertThat(c.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(500)));

        StepResult orphans = step(r, "orphans");
        assertThat(orphans.children()).extracting(StepResult::status).containsExactly(Status.PASS, Status.FAIL);
        assertThat(orphans.status()).isEqualTo(Status.FAIL);
        assertThat(orphans.children().get(1).evidence().rows()).hasSize(2);
        assertThat(orphans.message()).contains("2 targets");
        assertThat(step(r, "only-a").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "only-a").target()).isEqualTo("a");
        assertThat(r.targets()).hasSize(2);
        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    @Test
    void fanOutWithParallelOneRunsOneAfterTheOther() {
        RunReport r = EngineHarness.run(twoTargets("""
                name: serial
                targets:
                  a: ~
                  b: ~
                steps:
                  - id: sleep
                    targets: [a, b]
                    parallel: 1
                    sql: SELECT pg_sleep(0.3)
                """));
        StepResult sleep = step(r, "sleep");
        assertThat(sleep.status()).isEqualTo(Status.PASS);
        assertThat(sleep.children()).hasSize(2);
        assertThat(sleep.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }

    @Test
    void theRunLockKeepsASecondRunOut() throws Exception {
        String yaml = """
                name: locked-runbook
                steps:
                  - id: hold
                    sql: SELECT pg_sleep(:seconds)
                vars:
                  seconds: 2
                """;
        Runbook rb = EngineHarness.pointAll(EngineHarness.parse(yaml), dbA);
        CompletableFuture<RunReport> first = CompletableFuture.supplyAsync(
                () -> EngineHarness.run(rb, true, Map.of(), new Cancellation()));
        int holderPid = awaitAdvisoryLockHolder(dbA, Duration.ofSeconds(10));

        RunReport second = EngineHarness.run(rb, true, Map.of(), new Cancellation());
        assertThat(first).isNotDone();
        assertThat(second.exitCode().code()).isEqualTo(3);
        assertThat(second.runError()).contains("holds its lock").contains("locked-runbook").contains("pid " + holderPid);
        assertThat(second.steps()).extracting(StepResult::status).containsOnly(Status.SKIP);

        RunReport firstReport = first.get(15, TimeUnit.SECONDS);
        assertThat(firstReport.runError()).isNull();
        assertThat(step(firstReport, "hold").status()).isEqualTo(Status.PASS);
        assertThat(firstReport.exitCode().code()).isZero();

        // Released when the first run ended: a third run takes it (and releases it in turn).
        RunReport third = EngineHarness.run(rb.withTargetConnection("default", dbA), true, Map.of(), new Cancellation());
        assertThat(third.runError()).isNull();
        assertThat(third.exitCode().code()).isZero();
        assertThat(advisoryLockHolder(dbA)).isZero();
    }

    @Test
    void theLockHolderIsNamedWhateverTheNameHashesTo() throws Exception {
        // The lock key is hashtext(name), an int4 that may be negative; the holder must still be found.
        for (boolean negative : new boolean[] {true, false}) {
            String name = null;
            for (int i = 0; name == null; i++) {
                String candidate = "hash-" + i;
                if (Boolean.valueOf(negative).equals(EngineHarness.scalar(dbA, "SELECT hashtext('pgrunbook:" + candidate + "') < 0"))) {
                    name = candidate;
                }
            }
            Runbook rb = EngineHarness.pointAll(EngineHarness.parse("name: " + name + """

                    steps:
                      - id: hold
                        sql: SELECT pg_sleep(0.6)
                    """), dbA);
            CompletableFuture<RunReport> first = CompletableFuture.supplyAsync(
                    () -> EngineHarness.run(rb, true, Map.of(), new Cancellation()));
            int holderPid = awaitAdvisoryLockHolder(dbA, Duration.ofSeconds(10));
            RunReport second = EngineHarness.run(rb, true, Map.of(), new Cancellation());
            assertThat(second.runError()).as(name).contains("holds its lock").contains("pid " + holderPid);
            assertThat(first.get(15, TimeUnit.SECONDS).exitCode().code()).isZero();
        }
    }

    /** The pid of the session holding a pgrunbook advisory lock (two-key form, namespace 'pgrb'), or 0. */
    private static int advisoryLockHolder(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        + " AND objsubid = 2 AND classid = x'70677262'::int::oid AND database ="
                        + " (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static int awaitAdvisoryLockHolder(String jdbcUrl, Duration max) throws Exception {
        long until = System.nanoTime() + max.toNanos();
        while (true) {
            int pid = advisoryLockHolder(jdbcUrl);
            if (pid != 0) {
                return pid;
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("the first run never took its lock");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void cancellationStopsTheStatementOnTheServer() throws Exception {
        Runbook rb = EngineHarness.pointAll(EngineHarness.parse("""
                name: cancelled
                steps:
                  - id: before
                    sql: SELECT 1
                  - id: sleeper
                    retries: { count: 3, backoff: 100ms }
                    sql: SELECT pg_sleep(30)
                  - id: after
                    sql: SELECT 1
                  - id: fan
                    targets: [default]
                    sql: SELECT 1
                """), dbB);
        Cancellation cancellation = new Cancellation();
        CompletableFuture<Long> canceller = CompletableFuture.supplyAsync(() -> {
            try {
                EngineHarness.awaitActiveQuery(dbB, "pg_sleep(30)", Duration.ofSeconds(10));
                long at = System.nanoTime();
                cancellation.cancel();
                return at;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        RunReport r = EngineHarness.run(rb, false, Map.of(), cancellation);
        long returned = System.nanoTime();
        long cancelledAt = canceller.get(15, TimeUnit.SECONDS);
        assertThat((returned - cancelledAt) / 1_000_000).isLessThan(3_000);

        assertThat(r.interrupted()).isTrue();
        assertThat(r.exitCode().code()).isEqualTo(130);
        assertThat(step(r, "before").status()).isEqualTo(Status.PASS);
        StepResult sleeper = step(r, "sleeper");
        assertThat(sleeper.status()).isEqualTo(Status.ERROR);
        assertThat(sleeper.message()).contains("interrupted");
        assertThat(sleeper.attempts()).isEqualTo(1);
        assertThat(step(r, "after").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "after").message()).contains("interrupted");
        assertThat(step(r, "fan").status()).isEqualTo(Status.SKIP);
        // Cancelled on the server, not merely abandoned by the client.
        assertThat(EngineHarness.activeQueries(dbB, "pg_sleep(30)")).isZero();
    }
}
