package io.pgrunbook.engine;

import static io.pgrunbook.engine.EngineHarness.exec;
import static io.pgrunbook.engine.EngineHarness.run;
import static io.pgrunbook.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.testsupport.TestPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Expectations, severities, retries, on_failure, when and plans, end to end against a real server. */
@ExtendWith(TestPostgres.class)
class StepFlowIntegrationTest {
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        db = TestPostgres.shared().createDatabase("engine_flow");
        exec(db, "CREATE TABLE shards (shard int, node text, version text, size int)",
                "INSERT INTO shards VALUES (1, 'n1', '15', 10), (2, 'n2', '15', 20), (3, 'n3', '14', 900),"
                        + " (4, 'n4', '15', 800), (5, 'n5', '15', 700), (6, 'n6', '15', 30)",
                "CREATE TABLE arrivals (id int)");
    }

    // ---- expectations ------------------------------------------------------------------------

    @Test
    void expectationsPassAndFailWithEvidence() {
        RunReport r = run("""
                name: expectations
                steps:
                  - id: value-pass
                    sql: SELECT count(*) FROM shards
                    expect: { value: 6 }
                  - id: value-fail
                    sql: SELECT max(size) FROM shards
                    expect: { value: { lt: 500 } }
                  - id: rows-pass
                    sql: SELECT * FROM shards WHERE size > 100
                    expect: { rows: { ge: 3 } }
                  - id: rows-fail
                    sql: SELECT shard FROM shards WHERE size > 100
                    expect: { empty: true }
                  - id: each-pass
                    sql: SELECT shard, size FROM shards
                    expect: { each: { size: { gt: 0 } } }
                  - id: each-fail
                    sql: SELECT shard, size FROM shards ORDER BY shard
                    expect: { each: { size: { lt: 100 } }, max_rows: 2 }
                    message: shards are too big, rebalance them
                  - id: same-pass
                    sql: SELECT node, 'x' AS cluster FROM shards
                    expect: { same: cluster }
                  - id: same-fail
                    sql: SELECT shard, version FROM shards ORDER BY shard
                    expect: { same: [version] }
                """, db);
        for (String id : List.of("value-pass", "rows-pass", "each-pass", "same-pass")) {
            assertThat(step(r, id).status()).as(id + ": " + step(r, id).message()).isEqualTo(Status.PASS);
        }
        for (String id : List.of("value-fail", "rows-fail", "each-fail", "same-fail")) {
            assertThat(step(r, id).status()).as(id + ": " + step(r, id).message()).isEqualTo(Status.FAIL);
        }
        StepResult valueFail = step(r, "value-fail");
        assertThat(valueFail.message()).contains("900").contains("500");
        assertThat(valueFail.evidence().rows()).containsExactly(List.of(900L));

        StepResult rowsFail = step(r, "rows-fail");
        assertThat(rowsFail.evidence().totalRows()).isEqualTo(3);
        assertThat(rowsFail.evidence().rows()).hasSize(3);

        // Offending rows only (shards 3, 4, 5), limited to max_rows; the runbook's message replaces the default.
        StepResult eachFail = step(r, "each-fail");
        assertThat(eachFail.message()).isEqualTo("shards are too big, rebalance them");
        assertThat(eachFail.evidence().columns()).containsExactly("shard", "size");
        assertThat(eachFail.evidence().rows()).containsExactly(List.of(3L, 900L), List.of(4L, 800L));
        assertThat(eachFail.evidence().observed()).contains("3 rows of 6");
        assertThat(eachFail.evidence().totalRows()).isEqualTo(6);

        // The odd one out is the offending row.
        StepResult sameFail = step(r, "same-fail");
        assertThat(sameFail.evidence().rows()).containsExactly(List.of(3L, "14"));
        assertThat(sameFail.message()).contains("2 different values of version");

        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    @Test
    void warningSeverityWarnsAndExitsZero() {
        RunReport r = run("""
                name: warnings
                steps:
                  - id: ok
                    sql: SELECT 1
                    expect: { value: 1 }
                  - id: soft
                    severity: warning
                    message: dead tuples are piling up
                    sql: SELECT 100001 AS n_dead_tup
                    expect: { each: { n_dead_tup: { lt: 100000 } } }
                """, db);
        StepResult soft = step(r, "soft");
        assertThat(soft.status()).isEqualTo(Status.WARN);
        assertThat(soft.message()).isEqualTo("dead tuples are piling up");
        assertThat(soft.evidence().rows()).containsExactly(List.of(100001L));
        assertThat(r.overall()).isEqualTo(Status.WARN);
        assertThat(r.exitCode().code()).isZero();
    }

    @Test
    void criticalFailureExitsOne() {
        RunReport r = run("""
                name: critical
                steps:
                  - id: hard
                    severity: critical
                    sql: SELECT 2
                    expect: { value: 1 }
                """, db);
        assertThat(step(r, "hard").status()).isEqualTo(Status.FAIL);
        assertThat(step(r, "hard").message()).contains("expected").contains("2");
        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    // ---- retries -----------------------------------------------------------------------------

    @Test
    void retryOnFailWaitsForACheckToBecomeTrue() throws Exception {
        // A check that becomes true on its third attempt, deterministically: a session setting counts
        // the attempts (allowed in a READ ONLY transaction), and a pool of one keeps the session.
        long began = System.nanoTime();
        RunReport r = run("""
                name: wait-for-it
                targets:
                  only: { url: "", pool: { min: 1, max: 1 } }
                steps:
                  - id: arrived
                    sql: |
                      SELECT set_config('pgrunbook_test.attempt',
                             (coalesce(nullif(current_setting('pgrunbook_test.attempt', true), ''), '0')::int + 1)::text,
                             false)::int AS attempt
                    expect: { value: { ge: 3 } }
                    retries: { count: 5, backoff: 100ms, on: [fail] }
                """, db);
        StepResult s = step(r, "arrived");
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(s.attempts()).isEqualTo(3);
        assertThat((System.nanoTime() - began) / 1_000_000).as("waited 100 ms, then 200 ms").isGreaterThanOrEqualTo(300);
        assertThat(r.exitCode().code()).isZero();
    }

    @Test
    void retriesGiveUpAfterCount() {
        long began = System.nanoTime();
        RunReport r = run("""
                name: never
                steps:
                  - id: never
                    sql: SELECT 0
                    expect: { value: 1 }
                    retries: { count: 2, backoff: 50ms, on: [fail] }
                """, db);
        assertThat(step(r, "never").status()).isEqualTo(Status.FAIL);
        assertThat(step(r, "never").attempts()).isEqualTo(3);
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void aNonTransientErrorIsNotRetried() {
        long began = System.nanoTime();
        RunReport r = run("""
                name: missing
                steps:
                  - id: missing
                    sql: SELECT * FROM no_such_table
                    retries: { count: 3, backoff: 1s, on: [error, fail] }
                """, db);
        StepResult s = step(r, "missing");
        assertThat(s.status()).isEqualTo(Status.ERROR);
        assertThat(s.sqlState()).isEqualTo("42P01");
        assertThat(s.attempts()).isEqualTo(1);
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(900);
    }

    @Test
    void transientErrorsAreRetriedOnlyWhenOnSaysError() {
        RunReport r = run("""
                name: transient
                steps:
                  - id: default-on
                    sql: SELECT pg_sleep(1)
                    timeout: 50ms
                    retries: { count: 2, backoff: 10ms }
                  - id: fail-only
                    sql: SELECT pg_sleep(1)
                    timeout: 50ms
                    retries: { count: 2, backoff: 10ms, on: [fail] }
                """, db);
        assertThat(step(r, "default-on").sqlState()).isEqualTo("57014");
        assertThat(step(r, "default-on").attempts()).as("a statement timeout is transient: retried").isEqualTo(3);
        assertThat(step(r, "fail-only").sqlState()).isEqualTo("57014");
        assertThat(step(r, "fail-only").attempts()).as("on: [fail] does not retry errors").isEqualTo(1);
    }

    // ---- on_failure --------------------------------------------------------------------------

    @Test
    void onFailureStopSkipsTheRest() {
        RunReport r = run("""
                name: stop
                steps:
                  - id: first
                    sql: SELECT 1
                  - id: gate
                    on_failure: stop
                    sql: SELECT 0
                    expect: { value: 1 }
                  - id: after
                    sql: SELECT 1
                  - id: last
                    type: sql.exec
                    sql: INSERT INTO arrivals VALUES (99)
                """, db);
        assertThat(step(r, "first").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "gate").status()).isEqualTo(Status.FAIL);
        for (String id : List.of("after", "last")) {
            assertThat(step(r, id).status()).isEqualTo(Status.SKIP);
            assertThat(step(r, id).message()).contains("'gate'").contains("on_failure: stop");
            assertThat(step(r, id).attempts()).isZero();
        }
        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    @Test
    void onFailureStopAlsoStopsOnAnError() {
        RunReport r = run("""
                name: stop-error
                steps:
                  - id: broken
                    on_failure: stop
                    sql: SELECT * FROM no_such_table
                  - id: after
                    sql: SELECT 1
                """, db);
        assertThat(step(r, "broken").status()).isEqualTo(Status.ERROR);
        assertThat(step(r, "after").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "after").message()).contains("'broken'");
    }

    @Test
    void onFailureContinueRunsTheRest() {
        RunReport r = run("""
                name: continue
                steps:
                  - id: gate
                    on_failure: continue
                    sql: SELECT 0
                    expect: { value: 1 }
                  - id: after
                    sql: SELECT 1
                    expect: { value: 1 }
                """, db);
        assertThat(step(r, "gate").status()).isEqualTo(Status.FAIL);
        assertThat(step(r, "after").status()).isEqualTo(Status.PASS);
    }

    // ---- when --------------------------------------------------------------------------------

    @Test
    void whenConditionsRunOrSkipWithAReason() {
        RunReport r = run("""
                name: conditions
                steps:
                  - id: plpgsql
                    when: { extension: plpgsql }
                    sql: SELECT 1
                  - id: citus
                    when: { extension: citus }
                    sql: SELECT * FROM pg_dist_partition
                  - id: future
                    when: { server_version: 99 }
                    sql: SELECT 1
                  - id: current
                    when: { server_version: 12 }
                    sql: SELECT 1
                  - id: sql-false
                    when: { sql: "SELECT count(*) > 100 FROM shards" }
                    sql: SELECT 1
                  - id: sql-true
                    when: { sql: "SELECT count(*) = 6 FROM shards" }
                    sql: SELECT 1
                  - id: sql-false-reason
                    when: { sql: "SELECT count(*) > 100, 'only ' || count(*) || ' shards' FROM shards" }
                    sql: SELECT 1
                  - id: sql-true-reason
                    when: { sql: "SELECT count(*) = 6, 'not six shards' FROM shards" }
                    sql: SELECT 1
                """, db);
        assertThat(step(r, "sql-false-reason").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "sql-false-reason").message()).isEqualTo("skipped: only 6 shards");
        assertThat(step(r, "sql-true-reason").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "plpgsql").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "current").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "sql-true").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "citus").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "citus").message()).contains("extension citus is not installed");
        assertThat(step(r, "future").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "future").message()).contains("99");
        assertThat(step(r, "sql-false").status()).isEqualTo(Status.SKIP);
        assertThat(step(r, "sql-false").message()).contains("when.sql");
        assertThat(r.exitCode().code()).isZero();
    }

    @Test
    void aRunWhereEveryStepIsSkippedIsNotAPass() {
        RunReport r = run("""
                name: all-skipped
                steps:
                  - id: citus
                    when: { extension: citus }
                    sql: SELECT 1
                  - id: future
                    when: { server_version: 99 }
                    sql: SELECT 1
                """, db);
        assertThat(r.steps()).extracting(StepResult::status).containsOnly(Status.SKIP);
        assertThat(r.overall()).isEqualTo(Status.SKIP);
        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    // ---- plan --------------------------------------------------------------------------------

    @Test
    void planShowsStepsSqlBindsAndWritesWithoutConnecting() {
        int port = EngineHarness.deadPort();
        Runbook rb = EngineHarness.pointAll(EngineHarness.parse("""
                name: planned
                vars:
                  tables: [a, b]
                  limit: 500
                steps:
                  - id: check-tables
                    sql: SELECT relname FROM pg_class WHERE relname = ANY(:tables)
                    expect: { rows: 2 }
                  - id: sweep
                    type: sql.exec
                    sql: DELETE FROM events WHERE id IN (SELECT id FROM events LIMIT :limit)
                """), "postgresql://planner@127.0.0.1:" + port + "/nowhere");
        long began = System.nanoTime();
        String plan = new Planner(EngineHarness.REGISTRY).plan(rb, Map.of(), true);
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(2_000);
        assertThat(plan).contains("check-tables", "sweep")
                .contains("SELECT relname FROM pg_class WHERE relname = ANY(:tables)")
                .contains("DELETE FROM events WHERE id IN (SELECT id FROM events LIMIT :limit)")
                .contains("bind :tables = [a, b]")
                .contains("bind :limit = 500")
                .contains("WRITES")
                .contains("127.0.0.1:" + port)
                .contains("no connection was made");
        assertThat(plan.lines().filter(l -> l.contains("check-tables")).findFirst().orElseThrow()).contains("read-only");
        assertThat(plan.lines().filter(l -> l.contains("sweep") && l.contains("[")).findFirst().orElseThrow()).contains("WRITES");
        assertThat(new Planner(EngineHarness.REGISTRY).writingSteps(rb)).containsExactly("sweep");
    }

    @Test
    void planCountsTargetsReachedThroughAStepTypeAsUsed() {
        int port = EngineHarness.deadPort();
        Runbook rb = EngineHarness.pointAll(EngineHarness.parse("""
                name: replicas
                targets: { shard0: null, shard1: null, shard0_replica: null, shard1_replica: null, spare: null }
                steps:
                  - id: replication-lag
                    type: shardset.replication
                    targets: [shard0, shard1]
                    with:
                      replicas: { shard0: [shard0_replica], shard1: [shard1_replica] }
                """), "postgresql://planner@127.0.0.1:" + port + "/nowhere");
        String plan = new Planner(EngineHarness.REGISTRY).plan(rb, Map.of(), false);
        java.util.function.Function<String, String> targetLine = name -> plan.lines()
                .filter(l -> l.startsWith("  " + name + ":")).findFirst().orElseThrow(() -> new AssertionError(name + " not in\n" + plan));
        assertThat(targetLine.apply("shard0_replica")).doesNotContain("not used");
        assertThat(targetLine.apply("shard1_replica")).doesNotContain("not used");
        assertThat(targetLine.apply("shard0")).doesNotContain("not used");
        // A target no step runs on or reaches is still pointed out.
        assertThat(targetLine.apply("spare")).contains("(not used by any step)");
        assertThat(plan).contains("also reaches shard0_replica, shard1_replica");
    }
}
