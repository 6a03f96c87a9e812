package io.pgrunbook.engine;

import static io.pgrunbook.engine.EngineHarness.exec;
import static io.pgrunbook.engine.EngineHarness.run;
import static io.pgrunbook.engine.EngineHarness.scalar;
import static io.pgrunbook.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sql and sql.exec step types: read-only checks, writes, timeouts and bind parameters, on a real server. */
@ExtendWith(TestPostgres.class)
class SqlStepsIntegrationTest {
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        db = TestPostgres.shared().createDatabase("engine_sql");
        exec(db, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'one'), (2, 'two')",
                "CREATE SEQUENCE s",
                "CREATE TABLE locked (id int)",
                "CREATE TABLE victim (name text)",
                "INSERT INTO victim VALUES ('alice'), ('bob')",
                "CREATE TABLE vac (id int)",
                "INSERT INTO vac SELECT generate_series(1, 100)");
    }

    // ---- read-only ----------------------------------------------------------------------------

    @Test
    void checkStepsCannotWrite() throws Exception {
        RunReport r = run("""
                name: read-only
                steps:
                  - id: insert
                    sql: INSERT INTO t VALUES (3, 'three')
                  - id: update
                    sql: UPDATE t SET v = 'changed'
                  - id: create
                    sql: CREATE TABLE sneaky (id int)
                  - id: nextval
                    sql: SELECT nextval('s')
                """, db);
        for (String id : List.of("insert", "update", "create", "nextval")) {
            StepResult s = step(r, id);
            assertThat(s.status()).as(id).isEqualTo(Status.ERROR);
            assertThat(s.sqlState()).as(id).isEqualTo("25006");
            assertThat(s.message()).as(id).contains("read-only").contains("sql.exec");
        }
        assertThat(scalar(db, "SELECT count(*) FROM t")).isEqualTo(2L);
        assertThat(scalar(db, "SELECT count(*) FROM t WHERE v = 'changed'")).isEqualTo(0L);
        assertThat(scalar(db, "SELECT to_regclass('sneaky') IS NULL")).isEqualTo(true);
        assertThat(scalar(db, "SELECT is_called FROM s")).isEqualTo(false);
        assertThat(r.exitCode().code()).isEqualTo(1);
    }

    @Test
    void aCheckCannotEndItsReadOnlyTransactionToWrite() throws Exception {
        RunReport r = run("""
                name: escape
                steps:
                  - id: commit
                    sql: "COMMIT; INSERT INTO t VALUES (10, 'escaped')"
                  - id: rollback
                    sql: "ROLLBACK; INSERT INTO t VALUES (11, 'escaped')"
                  - id: end
                    sql: "end /* c */ ; CREATE TABLE escaped (id int)"
                  - id: prepare
                    sql: "PREPARE TRANSACTION 'x'; INSERT INTO t VALUES (12, 'escaped')"
                  - id: read-write
                    sql: "SET TRANSACTION READ WRITE; INSERT INTO t VALUES (13, 'escaped')"
                  - id: when-escape
                    when: { sql: "COMMIT; INSERT INTO t VALUES (14, 'escaped') RETURNING true" }
                    sql: SELECT 1
                  - id: multi-ok
                    sql: "SET LOCAL work_mem = '8MB'; SELECT current_setting('work_mem') AS wm, 'a; COMMIT; b' AS lit"
                """, db);
        for (String id : List.of("commit", "rollback", "end", "prepare", "when-escape")) {
            assertThat(step(r, id).status()).as(id + ": " + step(r, id).message()).isEqualTo(Status.ERROR);
            assertThat(step(r, id).sqlState()).as(id).isEqualTo("25006");
        }
        // The server itself refuses this one: the engine's own set_config already took the snapshot.
        assertThat(step(r, "read-write").status()).isEqualTo(Status.ERROR);
        assertThat(step(r, "read-write").sqlState()).isEqualTo("25001");
        assertThat(step(r, "commit").message()).contains("COMMIT").contains("sql.exec");
        assertThat(step(r, "multi-ok").status()).as(step(r, "multi-ok").message()).isEqualTo(Status.PASS);
        assertThat(step(r, "multi-ok").evidence().rows()).containsExactly(List.of("8MB", "a; COMMIT; b"));
        assertThat(scalar(db, "SELECT count(*) FROM t WHERE v = 'escaped'")).isEqualTo(0L);
        assertThat(scalar(db, "SELECT to_regclass('escaped') IS NULL")).isEqualTo(true);
    }

    @Test
    void execStepsWrite() throws Exception {
        exec(db, "CREATE TABLE w (id int)");
        RunReport r = run("""
                name: writes
                steps:
                  - id: insert
                    type: sql.exec
                    sql: INSERT INTO w SELECT generate_series(1, 3)
                  - id: count
                    sql: SELECT count(*) FROM w
                    expect: { value: 3 }
                """, db);
        assertThat(step(r, "insert").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "insert").evidence().rows()).containsExactly(List.of(3L));
        assertThat(step(r, "count").status()).isEqualTo(Status.PASS);
        assertThat(scalar(db, "SELECT count(*) FROM w")).isEqualTo(3L);
    }

    @Test
    void execWithoutTransactionRunsVacuumAndConcurrentIndexAndResetsTheSession() throws Exception {
        // A pool of one connection, so every step below uses the same server session.
        RunReport r = EngineHarness.run(EngineHarness.pointAll(EngineHarness.parse("""
                name: no-transaction
                targets:
                  db: { url: "", pool: { min: 1, max: 1 } }
                steps:
                  - id: vacuum-in-transaction
                    type: sql.exec
                    sql: VACUUM vac
                  - id: vacuum
                    type: sql.exec
                    timeout: 7s
                    lock_timeout: 3s
                    with: { transaction: false }
                    sql: VACUUM (ANALYZE) vac
                  - id: index
                    type: sql.exec
                    timeout: 7s
                    with: { transaction: false }
                    sql: CREATE INDEX CONCURRENTLY vac_id ON vac (id)
                  - id: session-timeout
                    type: sql.exec
                    timeout: 9s
                    sql: "COMMIT; SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt"
                """), db));
        assertThat(step(r, "vacuum-in-transaction").status()).isEqualTo(Status.ERROR);
        assertThat(step(r, "vacuum-in-transaction").sqlState()).isEqualTo("25001");
        assertThat(step(r, "vacuum").status()).as(step(r, "vacuum").message()).isEqualTo(Status.PASS);
        assertThat(step(r, "index").status()).as(step(r, "index").message()).isEqualTo(Status.PASS);
        assertThat(scalar(db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'vac_id'::regclass")).isEqualTo(true);
        assertThat(scalar(db, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'vac'")).isEqualTo(true);
        // After COMMIT the step's SET LOCAL is gone: what remains is the session's own value, which
        // must be the server default (0), not the 7s the transaction: false steps set.
        StepResult session = step(r, "session-timeout");
        assertThat(session.status()).as(session.message()).isEqualTo(Status.PASS);
        assertThat(session.evidence().columns()).containsExactly("st", "lt");
        assertThat(session.evidence().rows()).containsExactly(List.of("0", "0"));
    }

    // ---- timeouts ----------------------------------------------------------------------------

    @Test
    void statementTimeoutCancelsASlowQuery() {
        long began = System.nanoTime();
        RunReport r = run("""
                name: slow
                steps:
                  - id: slow
                    timeout: 200ms
                    sql: SELECT pg_sleep(5)
                """, db);
        long tookMs = (System.nanoTime() - began) / 1_000_000;
        StepResult s = step(r, "slow");
        assertThat(s.status()).isEqualTo(Status.ERROR);
        assertThat(s.sqlState()).isEqualTo("57014");
        assertThat(s.message()).contains("statement timeout").contains("200ms");
        assertThat(s.attempts()).isEqualTo(1);
        assertThat(tookMs).isLessThan(3_000);
    }

    @Test
    void lockTimeoutGivesUpOnAHeldLock() throws Exception {
        try (Connection holder = DriverManager.getConnection(db); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");
            long began = System.nanoTime();
            RunReport r = run("""
                    name: lock
                    steps:
                      - id: blocked
                        lock_timeout: 200ms
                        sql: SELECT count(*) FROM locked
                    """, db);
            long tookMs = (System.nanoTime() - began) / 1_000_000;
            StepResult s = step(r, "blocked");
            assertThat(s.status()).isEqualTo(Status.ERROR);
            assertThat(s.sqlState()).isEqualTo("55P03");
            assertThat(s.message()).contains("lock_timeout 200ms");
            assertThat(tookMs).isLessThan(3_000);
            holder.rollback();
        }
    }

    @Test
    void eachStepGetsItsOwnTimeouts() {
        RunReport r = run("""
                name: per-step
                defaults: { timeout: 45s }
                steps:
                  - id: a
                    timeout: 1500ms
                    lock_timeout: 250ms
                    sql: SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt
                  - id: b
                    sql: SHOW statement_timeout
                  - id: c
                    timeout: 2min
                    type: sql.exec
                    sql: SHOW statement_timeout
                  - id: d
                    timeout: 3s
                    sql: SHOW statement_timeout
                    expect: { value: 3s }
                """, db);
        assertThat(step(r, "a").evidence().rows()).containsExactly(List.of("1500ms", "250ms"));
        assertThat(step(r, "b").evidence().rows()).containsExactly(List.of("45s"));
        assertThat(step(r, "c").evidence().rows()).containsExactly(List.of("2min"));
        assertThat(step(r, "d").status()).isEqualTo(Status.PASS);
    }

    // ---- bind parameters ---------------------------------------------------------------------

    @Test
    void variablesAreBoundAsParameters() throws Exception {
        RunReport r = run("""
                name: binds
                vars:
                  tables: [t, victim, absent]
                  n: 41
                  word: two
                  evil: "x'); DROP TABLE victim; --"
                steps:
                  - id: list
                    sql: SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(:tables) ORDER BY relname
                    expect: { rows: 2, each: { relname: { in: [t, victim] } } }
                  - id: int
                    sql: SELECT :n + 1 AS answer
                    expect: { value: 42 }
                  - id: string
                    sql: SELECT id FROM t WHERE v = :word
                    expect: { value: 2 }
                  - id: hostile-read
                    sql: SELECT count(*) FROM victim WHERE name = :evil
                    expect: { value: 0 }
                  - id: hostile-write
                    type: sql.exec
                    sql: INSERT INTO victim VALUES (:evil)
                  - id: hostile-echo
                    sql: SELECT :evil AS v
                """, db);
        for (String id : List.of("list", "int", "string", "hostile-read", "hostile-write", "hostile-echo")) {
            assertThat(step(r, id).status()).as(id + ": " + step(r, id).message()).isEqualTo(Status.PASS);
        }
        assertThat(step(r, "list").evidence().rows()).containsExactly(List.of("t"), List.of("victim"));
        assertThat(step(r, "hostile-echo").evidence().rows()).containsExactly(List.of("x'); DROP TABLE victim; --"));
        assertThat(scalar(db, "SELECT to_regclass('victim') IS NOT NULL")).isEqualTo(true);
        assertThat(scalar(db, "SELECT count(*) FROM victim WHERE name = 'x''); DROP TABLE victim; --'")).isEqualTo(1L);
        assertThat(scalar(db, "SELECT count(*) FROM victim")).isEqualTo(3L);
    }
}
