package io.pgrunbook.engine;

import static io.pgrunbook.engine.EngineHarness.exec;
import static io.pgrunbook.engine.EngineHarness.run;
import static io.pgrunbook.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a run does when a target is unreachable, refuses us, disappears mid-run, or a statement is wrong. */
@ExtendWith(TestPostgres.class)
class EngineFaultsIntegrationTest {
    private static final String RUNBOOK = """
            name: faults
            targets:
              primary: ~
            steps:
              - id: one
                sql: SELECT 1
              - id: two
                type: sql.exec
                sql: SELECT 2
            """;
    private static String db;

    @BeforeAll
    static void database() throws Exception {
        db = TestPostgres.shared().createDatabase("engine_faults");
        exec(db, "CREATE TABLE present (id int)", "INSERT INTO present VALUES (1)");
    }

    @Test
    void anUnreachableTargetStopsTheRunBeforeAnyStep() {
        int port = EngineHarness.deadPort();
        long began = System.nanoTime();
        RunReport r = run(RUNBOOK, "postgresql://ops:hunter2-secret@127.0.0.1:" + port + "/app");
        assertThat((System.nanoTime() - began) / 1_000_000).isLessThan(10_000);
        assertThat(r.runError()).contains("'primary'").contains("127.0.0.1:" + port).doesNotContain("hunter2");
        assertThat(r.exitCode().code()).isEqualTo(3);
        assertThat(r.overall()).isEqualTo(Status.ERROR);
        assertThat(r.steps()).hasSize(2).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo(Status.SKIP);
            // the reason is the run error, given once; a step only says it did not run
            assertThat(s.message()).isEqualTo("not run: the run could not start (see the run error)");
        });
        for (ReportFormat f : ReportFormat.values()) {
            assertThat(EngineHarness.render(r, f)).as(f.key()).doesNotContain("hunter2");
        }
    }

    @Test
    void aDatabaseThatDoesNotExistCannotRun() {
        RunReport r = run(RUNBOOK, TestPostgres.shared().sandbox().jdbcUrl("no_such_database_here"));
        assertThat(r.exitCode().code()).isEqualTo(3);
        assertThat(r.runError()).contains("no_such_database_here").contains("does not exist").contains("3D000");
        assertThat(r.steps()).extracting(StepResult::status).containsOnly(Status.SKIP);
    }

    @Test
    void aWrongPasswordCannotRunAndNoPasswordIsEverPrinted() throws Exception {
        Sandbox sb = TestPostgres.shared().sandbox();
        Path hba = sb.dataDirectory().resolve("pg_hba.conf");
        String original = Files.readString(hba);
        String pwUser = "postgres://pw_user:wrong-pass-456@127.0.0.1:" + sb.port() + "/postgres";
        try {
            exec(sb.jdbcUrl(), "DROP ROLE IF EXISTS pw_user", "CREATE ROLE pw_user LOGIN PASSWORD 'right-pass-123'");
            Files.writeString(hba, "host all pw_user 127.0.0.1/32 scram-sha-256\n" + original);
            exec(sb.jdbcUrl(), "SELECT pg_reload_conf()");
            awaitPasswordRequired(sb, true);

            RunReport wrong = run(RUNBOOK, pwUser);
            assertThat(wrong.exitCode().code()).isEqualTo(3);
            assertThat(wrong.runError()).contains("password authentication failed").contains("'primary'");
            for (ReportFormat f : ReportFormat.values()) {
                String text = EngineHarness.render(wrong, f);
                assertThat(text).as(f.key()).doesNotContain("wrong-pass-456").doesNotContain("right-pass-123");
                if (f != ReportFormat.PROMETHEUS) { // metrics carry no messages
                    assertThat(text).as(f.key()).contains("password authentication failed");
                }
            }

            // The right password from PGPASSWORD (never from the runbook) works.
            RunReport right = EngineHarness.run(EngineHarness.pointAll(EngineHarness.parse(RUNBOOK),
                    "postgres://pw_user@127.0.0.1:" + sb.port() + "/postgres"), false,
                    Map.of("PGPASSWORD", "right-pass-123"), new Cancellation());
            assertThat(right.runError()).isNull();
            assertThat(right.exitCode().code()).isZero();
            assertThat(right.steps()).extracting(StepResult::status).containsOnly(Status.PASS);
            for (ReportFormat f : ReportFormat.values()) {
                assertThat(EngineHarness.render(right, f)).as(f.key()).doesNotContain("right-pass-123");
            }
        } finally {
            Files.writeString(hba, original);
            exec(sb.jdbcUrl(), "SELECT pg_reload_conf()");
            awaitPasswordRequired(sb, false);
            exec(sb.jdbcUrl(), "DROP ROLE IF EXISTS pw_user");
        }
    }

    /** pg_reload_conf() only signals the server: wait until the pg_hba.conf change is in force. */
    private static void awaitPasswordRequired(Sandbox sb, boolean required) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Properties p = new Properties();
            p.setProperty("user", "pw_user");
            p.setProperty("password", "probe-not-the-password");
            boolean refused;
            try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sb.port() + "/postgres", p)) {
                refused = false;
            } catch (SQLException e) {
                refused = "28P01".equals(e.getSQLState());
                if (!refused) {
                    throw e;
                }
            }
            if (refused == required) {
                return;
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("pg_hba.conf change not in force after 10 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aServerThatDiesMidRunErrorsTheRestPromptly() throws Exception {
        Sandbox sb = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements());
        try {
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                try {
                    EngineHarness.awaitActiveQuery(sb.jdbcUrl(), "pg_sleep(10)", Duration.ofSeconds(10));
                    sb.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long began = System.nanoTime();
            RunReport r = run("""
                    name: dying
                    steps:
                      - id: before
                        sql: SELECT 1
                      - id: sleeper
                        sql: SELECT pg_sleep(10)
                      - id: after
                        sql: SELECT 1
                      - id: last
                        type: sql.exec
                        sql: SELECT 1
                    """, sb.jdbcUrl());
            long tookMs = (System.nanoTime() - began) / 1_000_000;
            killer.get(30, TimeUnit.SECONDS);
            assertThat(tookMs).isLessThan(15_000);
            assertThat(r).isNotNull();
            assertThat(step(r, "before").status()).isEqualTo(Status.PASS);
            StepResult sleeper = step(r, "sleeper");
            assertThat(sleeper.status()).isEqualTo(Status.ERROR);
            assertThat(sleeper.message()).isNotBlank();
            assertThat(sleeper.sqlState()).matches("08...|57P0[12]");
            for (String id : new String[] {"after", "last"}) {
                StepResult s = step(r, id);
                assertThat(s.status()).as(id).isEqualTo(Status.ERROR);
                assertThat(s.message()).as(id).contains("target 'default' is unavailable").contains("'sleeper'");
            }
            assertThat(r.exitCode().code()).isEqualTo(1);
            for (ReportFormat f : ReportFormat.values()) {
                assertThat(EngineHarness.render(r, f)).as(f.key()).isNotBlank();
            }
        } finally {
            sb.stop();
        }
    }

    @Test
    void aMissingTableErrorsOnlyItsStep() {
        RunReport r = run("""
                name: missing-table
                steps:
                  - id: before
                    sql: SELECT count(*) FROM present
                    expect: { value: 1 }
                  - id: missing
                    sql: SELECT count(*) FROM absent_table
                    expect: { value: 0 }
                  - id: after
                    sql: SELECT count(*) FROM present
                    expect: { value: 1 }
                """, db);
        assertThat(step(r, "before").status()).isEqualTo(Status.PASS);
        assertThat(step(r, "after").status()).isEqualTo(Status.PASS);
        StepResult missing = step(r, "missing");
        assertThat(missing.status()).isEqualTo(Status.ERROR);
        assertThat(missing.sqlState()).isEqualTo("42P01");
        assertThat(missing.message()).contains("absent_table").contains("does not exist");
        assertThat(r.runError()).isNull();
        assertThat(r.exitCode().code()).isEqualTo(1);
    }
}
