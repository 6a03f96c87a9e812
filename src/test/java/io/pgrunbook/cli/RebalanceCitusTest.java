package io.pgrunbook.cli;

import static io.pgrunbook.testsupport.CitusCluster.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.testsupport.CitusCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code pgrunbook rebalance} against a private Citus cluster (coordinator and two workers) whose data
 * was distributed while the second worker took no shards: the plan changes nothing, a second rebalance
 * is refused, --status and --stop reach a running job, --max-time stops following without stopping the
 * job, and the real run moves shards until both workers hold half, with the checks passing afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RebalanceCitusTest {
    private static CitusCluster cluster;
    private static String coordinator;
    private static Sandbox empty;

    @org.junit.jupiter.api.BeforeEach
    void citusInstalled() {
        CitusCluster.assumeInstalled();
    }

    @BeforeAll
    static void unbalancedCluster() throws Exception {
        if (CitusCluster.missing().isPresent()) {
            return; // each test then skips itself (citusInstalled), so the report counts them as skipped
        }
        cluster = CitusCluster.startPrivate(2);
        coordinator = cluster.coordinatorJdbcUrl();
        empty = cluster.workers().get(1);
        exec(coordinator,
                "SELECT citus_set_node_property('127.0.0.1', " + empty.port() + ", 'shouldhaveshards', false)",
                "CREATE TABLE accounts (tenant_id bigint NOT NULL, id bigint NOT NULL, name text, PRIMARY KEY (tenant_id, id))",
                "SELECT create_distributed_table('accounts', 'tenant_id')",
                "CREATE TABLE events (tenant_id bigint NOT NULL, id bigint NOT NULL, payload text, PRIMARY KEY (tenant_id, id))",
                "SELECT create_distributed_table('events', 'tenant_id', colocate_with => 'accounts')",
                "INSERT INTO accounts SELECT i % 100, i, 'n' || i FROM generate_series(1, 2000) i",
                "INSERT INTO events SELECT i % 100, i, repeat('x', 200) FROM generate_series(1, 4000) i",
                // The new worker is enabled now: all 16 shards sit on the first one.
                "SELECT citus_set_node_property('127.0.0.1', " + empty.port() + ", 'shouldhaveshards', true)");
        assertThat(placementsOn(empty.port())).isZero();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    private static CliRun rebalance(String... more) {
        List<String> args = new ArrayList<>(List.of("rebalance", "--no-color", "--db", cluster.coordinatorUrl()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void theDryRunShowsTheMovesAndChangesNothing() throws Exception {
        String before = layout();
        CliRun r = rebalance("--dry-run");

        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("shard moves planned", "nothing was changed", "to_node", ":" + empty.port(), "accounts");
        assertThat(layout()).isEqualTo(before);
        assertThat(scalar("SELECT count(*) FROM pg_dist_background_job")).isZero();

        CliRun threshold = rebalance("--dry-run", "--threshold", "0.5");
        assertThat(threshold.exitCode).as(threshold.toString()).isZero();
        assertThat(layout()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void aRunningJobIsRefusedShownFollowedForMaxTimeInterruptedAndStopped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // A move locks its co-located tables on the coordinator: SHARE UPDATE EXCLUSIVE up to Citus 13.1, ROW EXCLUSIVE
        // from 13.2 (moves of one colocation group may run in parallel). SHARE conflicts with both: holding it keeps the
        // job's first move waiting on either release, so the job stays running while the test looks at it.
        try (Connection holder = DriverManager.getConnection(coordinator); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE accounts IN SHARE MODE");
            long job = scalar("SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')");

            CliRun second = rebalance("--yes", "--shard-transfer-mode", "block_writes");
            assertThat(second.exitCode).as(second.toString()).isEqualTo(1);
            assertThat(second.out).contains("refused: a rebalance is already", "as job " + job, "Nothing was started",
                    "pgrunbook rebalance --stop");
            assertThat(scalar("SELECT count(*) FROM pg_dist_background_job")).isEqualTo(1L);

            CliRun status = rebalance("--status");
            assertThat(status.exitCode).as(status.toString()).isZero();
            assertThat(status.out).contains("rebalance job " + job + ": ").containsPattern("job " + job + ": (scheduled|running)");

            CliRun stop = rebalance("--stop", "--yes");
            assertThat(stop.exitCode).as(stop.toString()).isZero();
            assertThat(stop.out).contains("rebalance job " + job + " cancelled");
            assertThat(scalar("SELECT count(*) FROM pg_dist_background_job WHERE state NOT IN ('cancelled', 'finished', 'failed')")).isZero();

            // Our own run, still blocked: --max-time stops following, and says the job keeps running.
            CliRun limited = rebalance("--yes", "--shard-transfer-mode", "block_writes", "--max-time", "2s");
            assertThat(limited.exitCode).as(limited.toString()).isEqualTo(1);
            assertThat(limited.out).contains("stopped following rebalance job", "max_time 2s reached",
                    "keeps running in the background", "pgrunbook rebalance --status", "pgrunbook rebalance --stop");
            assertThat(scalar("SELECT count(*) FROM pg_dist_background_job WHERE state IN ('scheduled', 'running')")).isEqualTo(1L);

            CliRun stopAgain = rebalance("--stop", "--yes");
            assertThat(stopAgain.exitCode).as(stopAgain.toString()).isZero();

            // Ctrl-C while following: the same, from a real process and its signal handler, exit 130.
            long jobsBefore = scalar("SELECT count(*) FROM pg_dist_background_job");
            ChildProcess child = ChildProcess.start(dir, java.util.Map.of(), "rebalance", "--db", cluster.coordinatorUrl(), "--yes",
                    "--shard-transfer-mode", "block_writes");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (scalar("SELECT count(*) FROM pg_dist_background_job") == jobsBefore && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(700);
            new ProcessBuilder("kill", "-INT", Long.toString(child.process.pid())).start().waitFor();
            assertThat(child.waitFor(60)).as(child.err()).isEqualTo(130);
            assertThat(child.out()).contains("stopped following rebalance job", "(interrupted)", "keeps running in the background",
                    "INTERRUPTED");
            assertThat(scalar("SELECT count(*) FROM pg_dist_background_job WHERE state IN ('scheduled', 'running')")).isEqualTo(1L);
            assertThat(rebalance("--stop", "--yes").exitCode).isZero();
            holder.rollback();
        }
        CliRun nothing = rebalance("--stop", "--yes");
        assertThat(nothing.out).contains("nothing to stop");
        assertThat(placementsOn(empty.port())).isZero();
    }

    @Test
    @Order(3)
    void aMoveThatKeepsFailingIsFailWithCitussErrorWhileTheJobStaysStoppable() throws Exception {
        // The new worker refuses writes: every move to it fails, and Citus retries the task for ever.
        String target = empty.jdbcUrl();
        try {
            exec(target, "ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()");
            CliRun r = rebalance("--yes", "--shard-transfer-mode", "block_writes");

            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.out).containsPattern("task [0-9]+ \\(shard [0-9]+\\) failed [0-9]+ times: ERROR")
                    .contains("Citus keeps retrying it", "pgrunbook rebalance --stop");
            assertThat(r.out).contains("SKIP   placements");
            assertThat(scalar("SELECT count(*) FROM pg_dist_background_job WHERE state IN ('scheduled', 'running')")).isEqualTo(1L);
        } finally {
            exec(target, "ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()");
        }
        CliRun stop = rebalance("--stop", "--yes");
        assertThat(stop.exitCode).as(stop.toString()).isZero();
        assertThat(placementsOn(empty.port())).isZero();
    }

    @Test
    @Order(4)
    void theRebalanceMovesShardsUntilBalancedAndTheChecksPass() throws Exception {
        CliRun offTerminal = rebalance("--shard-transfer-mode", "block_writes");
        assertThat(offTerminal.exitCode).as(offTerminal.toString()).isEqualTo(2);
        assertThat(placementsOn(empty.port())).isZero();

        CliRun r = rebalance("--yes", "--shard-transfer-mode", "block_writes");

        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("moves done", ":" + empty.port(), "nothing orphaned", "The rebalancer plans no further move");
        // 8 shards per table over two workers: 4 each, co-located shards together, every row still there.
        assertThat(placementsOn(empty.port())).isEqualTo(8L);
        assertThat(placementsOn(cluster.workers().get(0).port())).isEqualTo(8L);
        assertThat(scalar("SELECT count(*) FROM accounts")).isEqualTo(2000L);
        assertThat(scalar("SELECT count(*) FROM events")).isEqualTo(4000L);
        assertThat(scalar("SELECT count(*) FROM pg_dist_cleanup")).isZero();

        CliRun after = rebalance("--dry-run");
        assertThat(after.out).contains("nothing to move");
        CliRun status = rebalance("--status");
        assertThat(status.out).containsPattern("rebalance job [0-9]+: finished");
    }

    @Test
    @Order(5)
    void drainNodeEmptiesThatWorker() throws Exception {
        String node = "127.0.0.1:" + empty.port();
        CliRun plan = rebalance("--dry-run", "--drain-node", node);
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("8 shards on " + node + " would move off it", "nothing was changed");
        assertThat(placementsOn(empty.port())).isEqualTo(8L);

        CliRun r = rebalance("--yes", "--shard-transfer-mode", "block_writes", "--drain-node", node);
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(placementsOn(empty.port())).isZero();
        assertThat(scalar("SELECT count(*) FROM pg_dist_node WHERE nodeport = " + empty.port() + " AND NOT shouldhaveshards")).isEqualTo(1L);
        assertThat(scalar("SELECT count(*) FROM events")).isEqualTo(4000L);
    }

    private static long placementsOn(int port) throws Exception {
        return scalar("SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) WHERE n.nodeport = " + port);
    }

    private static String layout() throws Exception {
        try (Connection c = DriverManager.getConnection(coordinator); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(shardid || '@' || groupid, ',' ORDER BY shardid) FROM pg_dist_placement")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long scalar(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(coordinator); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
