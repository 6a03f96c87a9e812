package io.pgrunbook.steps.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.report.Status;
import io.pgrunbook.testsupport.CitusCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Shard attribution on a real three-node Citus cluster (skipped, loudly, without Citus). */
class LoadtestCitusTest {
    private static final String TABLE = "loadtest_citus_kv";

    @Test
    void operationsAreAttributedToTheCitusShardOfTheirDistributionKeyAndAHotShardFails() throws Exception {
        CitusCluster cluster = CitusCluster.shared();
        String url = cluster.coordinatorJdbcUrl();
        CitusCluster.exec(url, "DROP TABLE IF EXISTS " + TABLE, "CREATE TABLE " + TABLE + " (tenant bigint, k int, v text, PRIMARY KEY (tenant, k))",
                "SELECT create_distributed_table('" + TABLE + "', 'tenant')",
                "INSERT INTO " + TABLE + " SELECT t, k, 'x' FROM generate_series(1, 12) t, generate_series(1, 5) k");
        Set<String> expectedShards = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT DISTINCT get_shard_id_for_distribution_column('" + TABLE + "', t) FROM generate_series(1, 12) t")) {
            while (rs.next()) {
                expectedShards.add(String.valueOf(rs.getLong(1)));
            }
        }

        Scenario spread = scenario("tenant", 0.9);
        LoadResult r = new LoadRunner(spread, () -> DriverManager.getConnection(url), () -> false).run();
        assertThat(r.abortReason()).isNull();
        assertThat(r.shardTotal()).isEqualTo(32);
        assertThat(r.shardCounts().keySet()).containsExactlyInAnyOrderElementsOf(expectedShards);
        assertThat(r.shardCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.completed());
        SloJudge.Verdict ok = SloJudge.judge(spread, r);
        assertThat(ok.status()).isEqualTo(Status.PASS);
        assertThat(ok.rows().get(0).get(0)).isEqualTo("hot shard (tenant, Citus shards of " + TABLE + ")");

        // every operation on tenant 7: one shard takes everything, 32x its fair share
        Scenario hot = scenario("hot", 0.5);
        LoadResult h = new LoadRunner(hot, () -> DriverManager.getConnection(url), () -> false).run();
        assertThat(h.shardCounts()).hasSize(1);
        SloJudge.Verdict fail = SloJudge.judge(hot, h);
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(fail.rows().get(0).get(2).toString()).contains("took 100.00 %", "skew 32.00x");
    }

    @Test
    void aTableThatIsNotDistributedIsRefusedBeforeAnyLoad() throws Exception {
        String url = CitusCluster.shared().coordinatorJdbcUrl();
        CitusCluster.exec(url, "DROP TABLE IF EXISTS loadtest_citus_local", "CREATE TABLE loadtest_citus_local (tenant bigint)");
        Scenario s = ScenarioParser.parse(Map.of("scope", Map.of("tenants", 3),
                "operations", Map.of("get", Map.of("weight", 100, "sql", "SELECT :tenant")),
                "workload", Map.of("model", "closed", "connections", 1, "duration", "200ms"),
                "shard", Map.of("key", "tenant", "citus_table", "loadtest_citus_local")));
        assertThatThrownBy(() -> new LoadRunner(s, () -> DriverManager.getConnection(url), () -> false).run())
                .isInstanceOf(SQLException.class).hasMessageContaining("has no Citus shards; distribute it first");
    }

    @Test
    void aKeyTheCitusLookupCannotMapStopsTheRunWithTheReason() throws Exception {
        String url = CitusCluster.shared().coordinatorJdbcUrl();
        CitusCluster.exec(url, "DROP TABLE IF EXISTS loadtest_citus_uuid", "CREATE TABLE loadtest_citus_uuid (tenant_id uuid PRIMARY KEY)",
                "SELECT create_distributed_table('loadtest_citus_uuid', 'tenant_id')");
        // :tenant is 1..3, the distribution column a uuid: no operation can be put on a shard.
        Scenario s = ScenarioParser.parse(Map.of("scope", Map.of("tenants", 3),
                "operations", Map.of("get", Map.of("weight", 100, "sql", "SELECT :tenant")),
                "workload", Map.of("model", "closed", "connections", 1, "duration", "2s"),
                "shard", Map.of("key", "tenant", "citus_table", "loadtest_citus_uuid")));
        long began = System.nanoTime();
        LoadResult r = new LoadRunner(s, () -> DriverManager.getConnection(url), () -> false).run();
        assertThat(r.abortReason()).contains("shard attribution: the value '", "of shard.key 'tenant' cannot be mapped to a shard of "
                + "loadtest_citus_uuid (distributed by tenant_id uuid)", "invalid input syntax for type uuid", "SQLSTATE 22P02");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - began)).as("stopped at the first key").isLessThan(java.time.Duration.ofSeconds(2));
        assertThat(r.shardCounts()).isEmpty();
        assertThat(SloJudge.judge(s, r).status()).isEqualTo(Status.ERROR);
    }

    @Test
    void theShippedStorageScenarioRunsOnCitusWithItsQuotaTrigger() throws Exception {
        CitusCluster cluster = CitusCluster.shared();
        String db = cluster.createDatabase("loadtest_storage");
        String url = cluster.coordinator().jdbcUrl(db);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            // The shipped migration distributes the tables co-located on tenant_id (one transaction, as migrate runs it).
            c.setAutoCommit(false);
            st.execute(java.nio.file.Files.readString(java.nio.file.Path.of("runbooks/migrations/001_create_ext_storage_tables.up.sql")));
            c.commit();
            c.setAutoCommit(true);
            // The scenario's 5,000 initial records, small, so its data step skips the load.
            st.execute("INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value) "
                    + "SELECT md5('tenant-' || t)::uuid, md5('install-' || t || '-' || i)::uuid, 'ns-' || n, 'key-' || lpad(k::text, 4, '0'), "
                    + "jsonb_build_object('n', k) FROM generate_series(1, 50) t, generate_series(1, 3) i, generate_series(1, 5) n, generate_series(1, 7) k");
        }
        io.pgrunbook.engine.StepRegistry registry = io.pgrunbook.engine.StepRegistry.load();
        io.pgrunbook.runbook.Runbook runbook = new io.pgrunbook.runbook.load.RunbookLoader(registry)
                .load(java.nio.file.Path.of("runbooks/loadtest-storage.yaml"), Map.of("duration", "2s", "warmup", "500ms", "connections", "4"), Map.of())
                .withTargetConnection("storage", url);
        io.pgrunbook.report.RunReport report = new io.pgrunbook.engine.Engine(registry)
                .run(runbook, new io.pgrunbook.engine.RunOptions(false, Map.of(), Map.of()), new io.pgrunbook.engine.Cancellation());

        assertThat(report.steps().get(1).stepId()).isEqualTo("quota-trigger");
        assertThat(report.steps().get(1).status()).as(report.steps().get(1).message()).isEqualTo(Status.PASS);
        io.pgrunbook.report.StepResult load = report.steps().get(2);
        assertThat(load.status()).as(load.message()).isIn(Status.PASS, Status.FAIL); // latency SLOs depend on the machine's load
        assertThat(load.evidence().rows()).anySatisfy(row -> {
            assertThat(row.get(0)).isEqualTo("error rate");
            assertThat(row.get(2).toString()).startsWith("0.00 % (0 of ");
            assertThat(row.get(3)).isEqualTo("PASS");
        });
        // The trigger Citus accepted enforces the quota on a distributed table, with the scenario's SQLSTATE.
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 12; i++) {
                    st.execute("INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value) VALUES (md5('tenant-1')::uuid, "
                            + "md5('install-1-1')::uuid, 'ns-quota', 'big-" + i + "', jsonb_build_object('p', repeat('x', 100000)))");
                }
            }).isInstanceOf(SQLException.class).hasMessageContaining("storage quota exceeded")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("53400"));
        }
    }

    private static Scenario scenario(String key, double maxShare) {
        return ScenarioParser.parse(Map.of("scope", Map.of("tenants", 12),
                "params", Map.of("hot", 7),
                "operations", Map.of("get", Map.of("weight", 100, "sql", "SELECT v FROM " + TABLE + " WHERE tenant = :tenant AND k = 1 AND :hot > 0")),
                "workload", Map.of("rate", "150/s", "arrivals", "uniform", "connections", 2, "duration", "1s", "warmup", "100ms"),
                "shard", Map.of("key", key, "citus_table", TABLE),
                "slos", Map.of("max_shard_share", maxShare)));
    }
}
