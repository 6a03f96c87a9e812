package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** pgrunbook ttl-sweep and the shipped runbooks/ttl-sweep.yaml against the seed 001 schema. */
@ExtendWith(TestPostgres.class)
class TtlSweepCommandTest {
    static final String EXPIRED = "SELECT count(*) FROM ext_storage_records WHERE expires_at < now()";
    private String db;

    @BeforeEach
    void seed() throws Exception {
        db = TestPostgres.shared().createDatabase("ttl_cli");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("runbooks/sample/storage-schema.sql")));
        }
    }

    @Test
    void dryRunPrintsThePlanAndThePendingRowsAndDeletesNothing() throws Exception {
        CliRun r = CliRun.run("ttl-sweep", "--db", db, "--dry-run", "--no-color");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("Plan for runbook 'ttl-sweep'", "WRITES", "delete batches of 5000 rows",
                "dry run: 300 expired rows pending in 150 scope(s)", "largest scopes", "nothing deleted");
        assertThat(count(EXPIRED)).isEqualTo(300);
    }

    @Test
    void withoutYesOffATerminalNothingIsDeleted() throws Exception {
        CliRun r = CliRun.run("ttl-sweep", "--db", db, "--no-color");
        assertThat(r.exitCode).as(r.toString()).isNotZero();
        assertThat(r.all()).contains("--yes");
        assertThat(count(EXPIRED)).isEqualTo(300);
    }

    @Test
    void oneTenantAndNamespaceThenEverythingWithAPrometheusTextfile(@TempDir Path dir) throws Exception {
        String tenant = scalar("SELECT md5('tenant-3')::uuid::text");
        CliRun one = CliRun.run("ttl-sweep", "--db", db, "--tenant", tenant, "--namespace", "ns-2", "--yes", "--no-color");
        assertThat(one.exitCode).as(one.toString()).isZero();
        assertThat(one.out).contains("6 expired rows deleted");
        assertThat(count(EXPIRED)).isEqualTo(294);

        Path prom = dir.resolve("ttl.prom");
        CliRun all = CliRun.run("ttl-sweep", "--db", db, "--yes", "-q", "--max-pending", "0", "--report", "prometheus=" + prom);
        assertThat(all.exitCode).as(all.toString()).isZero();
        assertThat(all.out).isEmpty();
        assertThat(count(EXPIRED)).isZero();
        String text = Files.readString(prom);
        assertThat(text).contains("ttl_expired_rows_pending{", "} 0\n").containsPattern("ttl_cleanup_deletes_total\\{.*scope=\"[0-9a-f]{8}\"} 2");
        assertThat(text).doesNotContain(tenant);
    }

    @Test
    void badInputIsAClearErrorAndDeletesNothing() throws Exception {
        CliRun missing = CliRun.run("ttl-sweep", "--db", db, "--table", "nope", "--yes", "--no-color");
        assertThat(missing.exitCode).isNotZero();
        assertThat(missing.all()).contains("table 'nope' does not exist").doesNotContain("Exception");
        CliRun zero = CliRun.run("ttl-sweep", "--db", db, "--delete-batch-size", "0", "--yes");
        assertThat(zero.exitCode).isNotZero();
        assertThat(zero.all()).contains("delete_batch_size must be at least 1").doesNotContain("Exception");
        CliRun strategy = CliRun.run("ttl-sweep", "--db", db, "--strategy", "heap", "--yes");
        assertThat(strategy.exitCode).isEqualTo(2);
        assertThat(strategy.all()).contains("strategy must be one of [auto, index, blocks], got 'heap'").doesNotContain("Exception");
        CliRun tenant = CliRun.run("ttl-sweep", "--db", db, "--scope-columns", "namespace", "--tenant", "x", "--yes");
        assertThat(tenant.all()).contains("--tenant filters on scope column tenant_id, which is not in --scope-columns");
        assertThat(count(EXPIRED)).isEqualTo(300);
    }

    @Test
    void theShippedRunbookSweepsTheSeedTableAndAssertsTheBacklog() throws Exception {
        CliRun r = CliRun.run("run", "runbooks/ttl-sweep.yaml", "--db", db, "--yes", "--set", "max_pending=0", "--no-color");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("PASS", "300 expired rows deleted", "0 expired rows pending");
        assertThat(count(EXPIRED)).isZero();
        assertThat(count("SELECT count(*) FROM ext_storage_records")).isEqualTo(2700);
    }

    @Test
    void theShippedRunbookFailsWhenASampleLeavesTheBacklogOverItsThreshold() throws Exception {
        CliRun r = CliRun.run("run", "runbooks/ttl-sweep.yaml", "--db", db, "--yes", "--set", "sample=2", "--set", "max_pending=100", "--no-color");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("backlog over threshold: 296 expired rows pending > max_pending 100");
        assertThat(count(EXPIRED)).isEqualTo(296);
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(scalar(sql));
    }

    private String scalar(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
