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

    private static Scenario scenario(String key, double maxShare) {
        return ScenarioParser.parse(Map.of("scope", Map.of("tenants", 12),
                "params", Map.of("hot", 7),
                "operations", Map.of("get", Map.of("weight", 100, "sql", "SELECT v FROM " + TABLE + " WHERE tenant = :tenant AND k = 1 AND :hot > 0")),
                "workload", Map.of("rate", "150/s", "arrivals", "uniform", "connections", 2, "duration", "1s", "warmup", "100ms"),
                "shard", Map.of("key", key, "citus_table", TABLE),
                "slos", Map.of("max_shard_share", maxShare)));
    }
}
