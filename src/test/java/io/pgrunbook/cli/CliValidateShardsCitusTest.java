package io.pgrunbook.cli;

import static io.pgrunbook.testsupport.CitusCluster.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.CitusCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code validate-shards --citus} end to end: the subcommand, its shipped runbook and the real engine against
 * a real three-node Citus cluster; --table and --skew-factor must reach the runbook's vars.
 */
class CliValidateShardsCitusTest {
    private static final String[] TABLES = {"cli_accounts", "cli_events"};
    private static CitusCluster cluster;
    private static String coordinator;

    @org.junit.jupiter.api.BeforeEach
    void citusInstalled() {
        CitusCluster.assumeInstalled();
    }

    @BeforeAll
    static void layout() throws Exception {
        if (CitusCluster.missing().isPresent()) {
            return; // each test then skips itself (citusInstalled), so the report counts them as skipped
        }
        cluster = CitusCluster.shared();
        coordinator = cluster.coordinatorJdbcUrl();
        for (String t : TABLES) {
            exec(coordinator, "CREATE TABLE IF NOT EXISTS " + t + " (tenant_id bigint NOT NULL, id bigint NOT NULL, payload text, "
                    + "PRIMARY KEY (tenant_id, id))");
            if (scalar(coordinator, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text = '" + t + "'") == 0) {
                exec(coordinator, "SELECT create_distributed_table('" + t + "', 'tenant_id'"
                        + (t.equals(TABLES[0]) ? ", colocate_with => 'none'" : ", colocate_with => '" + TABLES[0] + "'") + ")");
            }
            exec(coordinator, "INSERT INTO " + t + " SELECT i % 50, i, 'x' FROM generate_series(1, 500) i ON CONFLICT DO NOTHING");
        }
    }

    private static long scalar(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static CliRun validate(String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("validate-shards", "--no-color", "--citus",
                "--db", cluster.coordinatorUrl(), "--table", TABLES[0], "--table", TABLES[1]));
        args.addAll(java.util.List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void aHealthyClusterPassesAndTheOptionsReachTheRunbook() {
        CliRun r = validate("--skew-factor", "3.5");
        assertThat(r.exitCode).as(r.toString()).isZero();
        // --table reached ${tables}: only the two tables named here were checked (2 x 32 shards).
        assertThat(r.out).contains("64 shards of 2 tables", "64 shard placements answered", "2 co-located tables written");
        // --skew-factor reached ${skew_factor}: the step's name carries it.
        assertThat(r.out).contains("within 3.5 x the mean");
        assertThat(r.out).doesNotContain("ext_storage_records");
    }

    @Test
    void theSkewFactorDecidesWhetherAHotTenantWarns() throws Exception {
        // One hot tenant: its shard (on one worker) outgrows everything else, about 1.9 x the mean of 2 nodes.
        exec(coordinator, "CREATE TABLE IF NOT EXISTS cli_hot (tenant_id bigint, payload text)");
        if (scalar(coordinator, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text = 'cli_hot'") == 0) {
            exec(coordinator, "SELECT create_distributed_table('cli_hot', 'tenant_id', colocate_with => 'none', shard_count => 4)",
                    "INSERT INTO cli_hot SELECT 7, repeat('x', 200) FROM generate_series(1, 20000)");
        }
        CliRun tight = CliRun.run("validate-shards", "--no-color", "--citus", "--db", cluster.coordinatorUrl(),
                "--table", "cli_hot", "--skew-factor", "1.2");
        assertThat(tight.exitCode).as("a skew is a warning: exit 0\n" + tight).isZero();
        assertThat(tight.out).contains("within 1.2 x the mean", "WARN", "skewed: 127.0.0.1:", "x the mean (rebalance with citus_rebalance_start())");

        CliRun loose = CliRun.run("validate-shards", "--no-color", "--citus", "--db", cluster.coordinatorUrl(),
                "--table", "cli_hot", "--skew-factor", "2.5");
        assertThat(loose.exitCode).as(loose.toString()).isZero();
        assertThat(loose.out).contains("2 nodes within 2.5 x the mean").doesNotContain("skewed:");

        CliRun below = CliRun.run("validate-shards", "--no-color", "--citus", "--db", cluster.coordinatorUrl(),
                "--table", "cli_hot", "--skew-factor", "0.5");
        assertThat(below.exitCode).as(below.toString()).isEqualTo(2);
        assertThat(below.err).contains("factor must be at least 1");
    }

    @Test
    void anOrphanedShardTableFailsNamingTheTableAndShard() throws Exception {
        String worker = cluster.workers().get(0).jdbcUrl();
        try {
            exec(worker, "CREATE TABLE public." + TABLES[1] + "_990001 (tenant_id bigint)");
            CliRun r = validate();
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.out).contains("shard-tables", "public." + TABLES[1] + " shard 990001 on 127.0.0.1:" + cluster.workers().get(0).port(),
                    "orphaned shard table public." + TABLES[1] + "_990001");
        } finally {
            exec(worker, "DROP TABLE IF EXISTS public." + TABLES[1] + "_990001");
        }
    }

    @Test
    void aTableThatIsNotDistributedFailsNamingIt() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS cli_plain (tenant_id bigint)");
        CliRun r = validate("--table", "cli_plain");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("hash-distributed", "cli_plain", "not distributed");
    }

    @Test
    void theDistributionColumnIsAVariableOfTheShippedRunbook() {
        CliRun right = validate("--set", "column=tenant_id");
        assertThat(right.exitCode).as(right.toString()).isZero();
        assertThat(right.out).contains("2 tables hash-distributed by tenant_id");

        CliRun wrong = validate("--set", "column=id");
        assertThat(wrong.exitCode).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.out).contains("cli_accounts: distributed by tenant_id, expected id");
    }

    @Test
    void aTableWithItsKeyIsRefusedInCitusMode() {
        CliRun r = CliRun.run("validate-shards", "--citus", "--db", cluster.coordinatorUrl(), "--table", "cli_events=tenant_id");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("--table cli_events=tenant_id", "Citus knows its distribution column");
    }
}
