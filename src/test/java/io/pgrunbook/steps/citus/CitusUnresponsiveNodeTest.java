package io.pgrunbook.steps.citus;

import static io.pgrunbook.testsupport.CitusCluster.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.CitusCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that accepts connections but never answers (its postmaster stopped with SIGSTOP), on a private
 * Citus cluster: the node probe names it within its own short timeout, and the steps that need it skip it
 * or stop at once with that reason, so the run costs about one probe timeout more than a healthy one.
 */
class CitusUnresponsiveNodeTest {
    private static final String TABLES = "hung_a,hung_b";
    private static CitusCluster cluster;
    private static String coordinator;
    private static Sandbox hung;

    @BeforeEach
    void citusInstalled() {
        CitusCluster.assumeInstalled();
    }

    @BeforeAll
    static void layout() throws Exception {
        if (CitusCluster.missing().isPresent()) {
            return; // each test then skips itself (citusInstalled), so the report counts them as skipped
        }
        cluster = CitusCluster.startPrivate(2);
        coordinator = cluster.coordinatorJdbcUrl();
        hung = cluster.workers().get(1);
        exec(coordinator,
                "CREATE TABLE hung_a (tenant_id bigint NOT NULL, id bigint NOT NULL, PRIMARY KEY (tenant_id, id))",
                "SELECT create_distributed_table('hung_a', 'tenant_id')",
                "CREATE TABLE hung_b (tenant_id bigint NOT NULL, id bigint NOT NULL, PRIMARY KEY (tenant_id, id))",
                "SELECT create_distributed_table('hung_b', 'tenant_id', colocate_with => 'hung_a')",
                "INSERT INTO hung_a SELECT i % 40, i FROM generate_series(1, 400) i",
                "INSERT INTO hung_b SELECT i % 40, i FROM generate_series(1, 400) i");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            signal("CONT");
            cluster.stop();
        }
    }

    private static void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(hung.pid())).inheritIO().start().waitFor();
        } catch (Exception e) {
            throw new IllegalStateException("could not send SIG" + name + " to the worker's postmaster", e);
        }
    }

    @Test
    void aHungWorkerCostsOneProbeTimeoutAndIsNamedByEveryStepThatNeedsIt() throws Exception {
        long began = System.nanoTime();
        RunReport healthy = CitusHarness.runShipped(coordinator, Map.of("tables", TABLES));
        Duration healthyTime = Duration.ofNanos(System.nanoTime() - began);
        assertThat(healthy.exitCode().code()).as(healthy.steps().toString()).isZero();

        String node = "127.0.0.1:" + hung.port();
        RunReport report;
        signal("STOP");
        try {
            began = System.nanoTime();
            report = CitusHarness.runShipped(coordinator, Map.of("tables", TABLES, "probe_timeout", "2s"));
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            // One 2 s probe, not a 30 s statement timeout per step (the slack is for a loaded machine).
            assertThat(took).as("healthy " + healthyTime + ", hung " + took).isLessThan(healthyTime.plusSeconds(2 + 8));
        } finally {
            signal("CONT");
        }
        StepResult probe = CitusHarness.step(report, "nodes-answer");
        assertThat(probe.status()).isEqualTo(Status.FAIL);
        assertThat(probe.message()).startsWith(node + " did not answer within 2s (Citus: ");
        assertThat(probe.evidence().observed()).isEqualTo("2 of 3 nodes answered");

        StepResult tables = CitusHarness.step(report, "shard-tables");
        assertThat(tables.status()).isEqualTo(Status.ERROR);
        assertThat(tables.message()).startsWith("not checked: " + node + " did not answer within 2s");

        StepResult smoke = CitusHarness.step(report, "smoke-per-shard");
        assertThat(smoke.status()).isEqualTo(Status.FAIL);
        assertThat(smoke.message()).containsPattern("^8 failed shards; first: hung_a shard [0-9]+ on " + node
                + ": not probed: on " + node + ", which did not answer the node probe within 2s");

        StepResult health = CitusHarness.step(report, "node-health");
        assertThat(health.status()).isEqualTo(Status.FAIL);
        assertThat(health.message()).contains(node + " did not answer within 2s");

        StepResult skew = CitusHarness.step(report, "skew");
        assertThat(skew.status()).isEqualTo(Status.SKIP);
        assertThat(skew.message()).contains("not judged: " + node, "bring the node back first").doesNotContain("citus_rebalance_start");

        // The metadata-only checks still judge the layout.
        assertThat(CitusHarness.step(report, "hash-distributed").status()).isEqualTo(Status.PASS);
        assertThat(CitusHarness.step(report, "placements").status()).isEqualTo(Status.PASS);
        // The router test writes one key: it runs when that key's shard is on the answering worker, else stops at once naming the node.
        StepResult tx = CitusHarness.step(report, "colocated-transaction");
        assertThat(tx.status() == Status.PASS || (tx.status() == Status.ERROR && tx.message().contains(node + ", which did not answer")))
                .as(CitusHarness.describe(tx)).isTrue();

        assertThat(CitusHarness.runShipped(coordinator, Map.of("tables", TABLES)).exitCode().code()).as("healthy again").isZero();
    }

    @Test
    void theRouterTestAloneProbesOnceAndStopsAtOnceWhenItsKeysNodeHangs() throws Exception {
        long key = keyOn(hung.port());
        String yaml = """
                name: router
                steps:
                  - id: tx
                    type: citus.router_transaction
                    with: { tables: [hung_a, hung_b], key: "%d" }
                """.formatted(key);
        signal("STOP");
        StepResult tx;
        Duration took;
        try {
            long began = System.nanoTime();
            tx = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            took = Duration.ofNanos(System.nanoTime() - began);
        } finally {
            signal("CONT");
        }
        assertThat(tx.status()).as(CitusHarness.describe(tx)).isEqualTo(Status.ERROR);
        assertThat(tx.message()).contains("not run: the shards of key " + key + " are on 127.0.0.1:" + hung.port()
                + ", which did not answer the node probe within 3s");
        assertThat(took).isLessThan(Duration.ofSeconds(3 + 8));
    }

    @Test
    void aRemoteNodesConnectionErrorIsNamedAndNotTakenForTheCoordinatorsOwn() throws Exception {
        SQLException remote;
        signal("STOP");
        try (Connection c = DriverManager.getConnection(coordinator); Statement s = c.createStatement()) {
            s.execute("SET citus.node_connection_timeout = '500ms'");
            try {
                s.executeQuery("SELECT count(*) FROM hung_a").close();
                throw new AssertionError("a query over every shard answered while a worker was stopped");
            } catch (SQLException e) {
                remote = e;
            }
            assertThat(c.isValid(2)).as("the coordinator's own connection still works").isTrue();
        } finally {
            signal("CONT");
        }
        StepOutcome outcome = CitusCheck.remoteFailure(remote);
        assertThat(outcome).as(remote.getSQLState() + " " + remote.getMessage()).isNotNull();
        assertThat(outcome.verdict()).isEqualTo(Status.ERROR);
        assertThat(outcome.message()).contains("a node behind the coordinator failed", String.valueOf(hung.port()));
    }

    @Test
    void aRollbackThatFailsAfterAnErrorIsKeptBesideItNeverThrownOverIt() throws Exception {
        Connection closed = DriverManager.getConnection(coordinator);
        closed.setAutoCommit(false);
        closed.close();
        SQLException cause = new SQLException("connection to the remote node 127.0.0.1:9702 failed", "08001");
        CitusRouterTransactionStep.rollbackKeeping(closed, cause);
        assertThat(cause.getSuppressed()).hasSize(1);
        assertThat(cause.getSuppressed()[0]).hasMessageContaining("closed");
    }

    private static long keyOn(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection(coordinator); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT k FROM generate_series(1, 1000) k WHERE EXISTS (SELECT 1 FROM pg_dist_placement p "
                        + "JOIN pg_dist_node n USING (groupid) WHERE p.shardid = get_shard_id_for_distribution_column('hung_a', k) "
                        + "AND n.nodeport = " + port + ") LIMIT 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
