package io.pgrunbook.steps.ttl;

import static io.pgrunbook.steps.ttl.TtlHarness.count;
import static io.pgrunbook.steps.ttl.TtlHarness.exec;
import static io.pgrunbook.steps.ttl.TtlHarness.runStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.CitusCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ttl.sweep on a Citus distributed ext_storage_records (three-node cluster; skipped loudly without
 * Citus). Its own schema on the coordinator's database, so it shares nothing with other Citus tests.
 */
class TtlSweepCitusTest {
    static final String TABLE = "ttl_citus.ext_storage_records";
    static final String EXPIRED = "SELECT count(*) FROM " + TABLE + " WHERE expires_at < now()";
    static final String LIVE = "SELECT count(*) FROM " + TABLE + " WHERE expires_at IS NULL OR expires_at >= now()";
    /**
     * 6 tenants x 2 installs x 2 namespaces x 2000 keys = 48,000 rows on 2 shards: every 4th key
     * expired (12,000), every 4th+1 in 2099, the rest no expiry. Shards big enough that each
     * worker's own planner reads a scope's expired rows through the index, as on a real table.
     */
    static final String ROWS = """
            INSERT INTO %s (tenant_id, install_id, namespace, key, value, expires_at)
            SELECT md5('t' || t)::uuid, md5('i' || t || '-' || i)::uuid, 'ns-' || n, 'k' || k, '{}'::jsonb,
                   CASE WHEN k %% 4 = 0 THEN now() - k * interval '1 hour' WHEN k %% 4 = 1 THEN timestamptz '2099-01-01' END
              FROM generate_series(1, 6) t, generate_series(1, 2) i, generate_series(1, 2) n, generate_series(1, 2000) k""";
    static final String WITH = "table: " + TABLE + ", expiry_column: expires_at, scope_columns: [tenant_id, install_id, namespace]";
    private String db;

    @BeforeEach
    void cluster() throws Exception {
        db = CitusCluster.shared().coordinatorJdbcUrl();
        exec(db, "DROP SCHEMA IF EXISTS ttl_citus CASCADE", "CREATE SCHEMA ttl_citus");
        table(TABLE, "tenant_id");
    }

    private void table(String name, String distributionColumn) throws Exception {
        exec(db, "CREATE TABLE " + name + " (tenant_id uuid NOT NULL, install_id uuid NOT NULL, namespace text NOT NULL, key text NOT NULL,"
                        + " value jsonb NOT NULL, expires_at timestamptz, PRIMARY KEY (tenant_id, install_id, namespace, key))",
                "CREATE INDEX ON " + name + " (tenant_id, install_id, namespace, expires_at) WHERE expires_at IS NOT NULL",
                "SELECT create_distributed_table('" + name + "', '" + distributionColumn + "', shard_count => 2)",
                ROWS.formatted(name),
                "ANALYZE " + name);
    }

    @Test
    void sweepsOnlyExpiredRowsWithEveryBatchRoutedToOneShard() throws Exception {
        assertThat(count(db, "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '" + TABLE + "'::regclass")).isEqualTo(2);
        assertThat(count(db, EXPIRED)).isEqualTo(12_000);

        StepResult dry = runStep(db, WITH + ", dry_run: true");
        assertThat(dry.status()).as(dry.message()).isEqualTo(Status.PASS);
        // Every batch statement (select, direct delete, SKIP LOCKED delete) is one Citus task: a router plan.
        String plan = dry.evidence().observed();
        assertThat(plan).contains("Citus tasks: 1").doesNotContainPattern("Citus tasks: ([2-9]|\\d\\d)")
                .doesNotContain("fans out");
        assertThat(dry.message()).contains("12000 expired rows pending in 24 scope(s)");
        assertThat(count(db, EXPIRED)).isEqualTo(12_000);

        StepResult r = runStep(db, WITH + ", select_batch_size: 200, delete_batch_size: 100");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("12000 expired rows deleted", "0 expired rows pending");
        assertThat(r.evidence().rows()).hasSize(24);
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, LIVE)).isEqualTo(36_000);
        assertThat(count(db, "SELECT count(*) FROM " + TABLE + " WHERE expires_at = timestamptz '2099-01-01'")).isEqualTo(12_000);
        // Scope by scope: 500 expired rows each, delete batches of 100: 5 per scope.
        assertThat(r.message()).contains("in 120 batches");
    }

    @Test
    void aTableDistributedOnAColumnThatIsNotAScopeColumnIsRefused() throws Exception {
        table("ttl_citus.by_install", "install_id");
        StepResult r = runStep(db, "table: ttl_citus.by_install, expiry_column: expires_at, scope_columns: [tenant_id, namespace]");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("Citus distributed table with distribution column 'install_id'",
                "add it to scope_columns", "routed to one shard");
        assertThat(count(db, "SELECT count(*) FROM ttl_citus.by_install WHERE expires_at < now()")).isEqualTo(12_000);
    }
}
