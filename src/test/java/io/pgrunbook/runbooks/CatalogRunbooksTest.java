package io.pgrunbook.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The three catalog runbooks against a sandbox database loaded with the sample storage schema. */
@ExtendWith(TestPostgres.class)
class CatalogRunbooksTest {

    static RunReport run(String runbook, String url, Map<String, String> sets) {
        Runbook r = new RunbookLoader(StepRegistry.load()).load(Path.of("runbooks", runbook), sets, Map.of())
                .withTargetConnection(RunbookLoader.IMPLICIT_TARGET, url);
        return new Engine(StepRegistry.load()).run(r, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static Status status(RunReport report, String id) {
        return report.steps().stream().filter(s -> s.stepId().equals(id)).findFirst().orElseThrow().status();
    }

    static String message(RunReport report, String id) {
        return report.steps().stream().filter(s -> s.stepId().equals(id)).findFirst().orElseThrow().message();
    }

    @Test
    void storageReadinessReportsRealPassesAndFailures() throws Exception {
        String db = TestPostgres.shared().createDatabase("readiness");
        HealthRunbookTest.loadSample(db);
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gateway') THEN CREATE ROLE gateway; END IF; END $$");
            s.execute("ALTER ROLE gateway SET statement_timeout = '750ms'");
        }
        RunReport before = run("storage-readiness.yaml", db, Map.of());
        assertThat(status(before, "gateway-statement-timeout")).isEqualTo(Status.PASS);
        assertThat(status(before, "wal-archiving")).isEqualTo(Status.FAIL); // the sandbox does not archive
        assertThat(status(before, "pg-stat-statements")).isEqualTo(Status.WARN);
        assertThat(status(before, "connections")).isEqualTo(Status.PASS);
        assertThat(before.steps()).noneMatch(s -> s.status() == Status.ERROR);
        Status records = status(before, "records-autovacuum");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE ext_storage_records SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)");
        }
        assertThat(status(run("storage-readiness.yaml", db, Map.of()), "records-autovacuum")).isEqualTo(Status.PASS);
        assertThat(records).as("whether the sample sets the scale factors decides this, but it must be judged").isIn(Status.PASS, Status.WARN);
    }

    @Test
    void storageReadinessSkipsWhatNeedsTheStorageTablesOrTheGatewayRoleWhereTheyAreMissing() throws Exception {
        String db = TestPostgres.shared().createDatabase("readiness_empty");
        RunReport r = run("storage-readiness.yaml", db, Map.of("gateway_role", "no_such_gateway"));
        assertThat(status(r, "records-autovacuum")).isEqualTo(Status.SKIP);
        assertThat(message(r, "records-autovacuum")).contains("table ext_storage_records does not exist in this database");
        assertThat(status(r, "gateway-statement-timeout")).isEqualTo(Status.SKIP);
        assertThat(message(r, "gateway-statement-timeout")).contains("role no_such_gateway does not exist on this server");
        assertThat(r.steps()).noneMatch(s -> s.status() == Status.ERROR);
    }

    @Test
    void dbPerformanceAndOperationsRunOnTheSample() throws Exception {
        String db = TestPostgres.shared().createDatabase("perfops");
        HealthRunbookTest.loadSample(db);
        RunReport perf = run("db-performance.yaml", db, Map.of());
        assertThat(status(perf, "tables-without-index")).isEqualTo(Status.WARN); // demo_import_staging
        assertThat(status(perf, "server-version")).isEqualTo(Status.PASS);
        assertThat(status(perf, "slow-queries")).isEqualTo(Status.SKIP);
        assertThat(status(perf, "wal-archiving")).isEqualTo(Status.FAIL);
        assertThat(perf.steps()).noneMatch(s -> s.status() == Status.ERROR);

        RunReport ops = run("db-operations.yaml", db, Map.of());
        // The sample has none of the operations runbook's tenant tables: the RLS steps skip, saying so.
        for (String rls : java.util.List.of("rls-enabled", "rls-policies")) {
            assertThat(status(ops, rls)).isEqualTo(Status.SKIP);
            assertThat(message(ops, rls)).contains("none of the tenant tables (requisitions, vendors, contracts, audit_events)");
        }
        assertThat(status(ops, "rls-isolation")).isEqualTo(Status.SKIP);
        assertThat(message(ops, "rls-isolation")).contains("table requisitions does not exist");
        assertThat(status(ops, "app-statement-timeout")).isEqualTo(Status.SKIP);
        assertThat(message(ops, "app-statement-timeout")).contains("role app_user does not exist");
        assertThat(ops.steps()).noneMatch(s -> s.status() == Status.ERROR);
        assertThat(status(ops, "tuning")).isEqualTo(Status.WARN); // the sandbox is not tuned for production
        assertThat(status(ops, "connections")).isEqualTo(Status.PASS);
        assertThat(status(ops, "duplicate-indexes")).isEqualTo(Status.WARN);
    }

    @Test
    void dbOperationsRlsStepsJudgeTenantTablesThatExistAndNameTheMissingOnes() throws Exception {
        String db = TestPostgres.shared().createDatabase("opsrls");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE requisitions (id int PRIMARY KEY, tenant_id text NOT NULL);
                    INSERT INTO requisitions VALUES (1, 'a'), (2, 'b');
                    ALTER TABLE requisitions ENABLE ROW LEVEL SECURITY;
                    ALTER TABLE requisitions FORCE ROW LEVEL SECURITY;
                    CREATE POLICY tenant_isolation ON requisitions USING (tenant_id = current_setting('app.current_tenant_id'));
                    CREATE TABLE vendors (id int PRIMARY KEY, tenant_id text NOT NULL);
                    """);
        }
        // Some of the default tenant tables exist: the check runs and names the missing ones.
        RunReport partial = run("db-operations.yaml", db, Map.of());
        assertThat(status(partial, "rls-enabled")).isEqualTo(Status.ERROR);
        assertThat(message(partial, "rls-enabled")).contains("contracts", "audit_events").doesNotContain("requisitions,");

        // The listed tables all exist: one is protected, one is not.
        RunReport listed = run("db-operations.yaml", db, Map.of("tenant_tables", "requisitions,vendors"));
        assertThat(status(listed, "rls-enabled")).isEqualTo(Status.FAIL);
        assertThat(status(listed, "rls-policies")).isEqualTo(Status.FAIL);
        assertThat(status(run("db-operations.yaml", db, Map.of("tenant_tables", "requisitions")), "rls-enabled"))
                .isEqualTo(Status.PASS);
    }
}
