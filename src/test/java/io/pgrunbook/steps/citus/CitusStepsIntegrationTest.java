package io.pgrunbook.steps.citus;

import static io.pgrunbook.testsupport.CitusCluster.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.CitusCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped validate-shards-citus runbook and the citus.* step types against a real three-node Citus
 * cluster: a healthy layout, then each broken one (made on purpose, and undone after).
 */
class CitusStepsIntegrationTest {
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
        for (String t : new String[] {"ext_storage_records", "ext_storage_schemas", "ext_storage_usage"}) {
            exec(coordinator, "CREATE TABLE IF NOT EXISTS " + t + " (tenant_id uuid NOT NULL, install_id uuid NOT NULL, namespace text NOT NULL, "
                    + "payload text, PRIMARY KEY (tenant_id, install_id, namespace))");
            if (!isDistributed(t)) {
                exec(coordinator, "SELECT create_distributed_table('" + t + "', 'tenant_id'"
                        + (t.equals("ext_storage_records") ? "" : ", colocate_with => 'ext_storage_records'") + ")");
            }
            exec(coordinator, "INSERT INTO " + t + " SELECT md5(i::text)::uuid, md5('i' || i)::uuid, 'ns', 'x' FROM generate_series(1, 200) i ON CONFLICT DO NOTHING");
        }
    }

    private static boolean isDistributed(String t) throws Exception {
        try (Connection c = DriverManager.getConnection(coordinator); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text = '" + t + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static long scalar(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void healthyClusterPassesTheWholeChecklist() {
        RunReport report = CitusHarness.runShipped(coordinator, Map.of());
        for (StepResult s : report.steps()) {
            assertThat(s.status()).as(CitusHarness.describe(s)).isEqualTo(Status.PASS);
        }
        assertThat(report.exitCode().code()).isZero();
        assertThat(CitusHarness.step(report, "placements").message()).contains("96 shards of 3 tables");
        assertThat(CitusHarness.step(report, "smoke-per-shard").message()).contains("96 shard placements answered; slowest: ");
        assertThat(CitusHarness.step(report, "colocated-transaction").message())
                .contains("3 co-located tables written with key 00000000-0000-0000-0000-000000000000 in one router transaction");
        assertThat(CitusHarness.step(report, "node-health").message()).contains("3 nodes healthy, Citus 1");
    }

    @Test
    void aPlainTableAndAReferenceTableAreNamed() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS plain_t (tenant_id uuid)", "CREATE TABLE IF NOT EXISTS ref_t (id int)");
        if (!isDistributed("ref_t")) {
            exec(coordinator, "SELECT create_reference_table('ref_t')");
        }
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "ext_storage_records,plain_t,ref_t"));
        StepResult dist = CitusHarness.step(report, "hash-distributed");
        assertThat(dist.status()).isEqualTo(Status.FAIL);
        assertThat(dist.evidence().rows().toString()).contains("plain_t, null, null, not distributed")
                .contains("ref_t, null, null, partmethod is 'n', not 'h': a reference table");
        StepResult refs = CitusHarness.step(report, "no-reference-tables");
        assertThat(refs.status()).isEqualTo(Status.FAIL);
        assertThat(refs.message()).contains("ref_t").contains("is a reference table");
        assertThat(report.exitCode().code()).isEqualTo(1);

        RunReport declared = CitusHarness.runYaml("""
                name: refs
                steps:
                  - id: refs
                    type: citus.reference_tables
                    with: { tables: [ext_storage_records, ref_t], allowed: [ref_t] }
                """, coordinator);
        assertThat(declared.steps().get(0).status()).as(CitusHarness.describe(declared.steps().get(0))).isEqualTo(Status.PASS);
    }

    @Test
    void placementsOnInactiveAndUnknownNodesAndAHashGapFail() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS moved_t (tenant_id bigint)");
        if (!isDistributed("moved_t")) {
            exec(coordinator, "SELECT create_distributed_table('moved_t', 'tenant_id', colocate_with => 'none', shard_count => 4)");
        }
        long shard = scalar(coordinator, "SELECT min(shardid) FROM pg_dist_shard WHERE logicalrelid = 'moved_t'::regclass");
        long group = scalar(coordinator, "SELECT groupid FROM pg_dist_placement WHERE shardid = " + shard);
        long inactiveNode = scalar(coordinator, "SELECT citus_add_inactive_node('127.0.0.1', 1)");
        long inactiveGroup = scalar(coordinator, "SELECT groupid FROM pg_dist_node WHERE nodeid = " + inactiveNode);
        String yaml = """
                name: placements
                steps:
                  - id: placements
                    type: citus.placements
                    with: { tables: [moved_t] }
                """;
        try {
            exec(coordinator, "UPDATE pg_dist_placement SET groupid = " + inactiveGroup + " WHERE shardid = " + shard);
            StepResult s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.status()).isEqualTo(Status.FAIL);
            assertThat(s.evidence().rows().toString()).contains("moved_t, " + shard + ", 127.0.0.1:1, placement")
                    .contains("is on an inactive node").contains("no placement on an active primary node");

            exec(coordinator, "UPDATE pg_dist_placement SET groupid = 4242 WHERE shardid = " + shard);
            s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.message()).contains("moved_t shard " + shard).contains("node group 4242, which has no primary node");

            exec(coordinator, "UPDATE pg_dist_placement SET groupid = " + group + " WHERE shardid = " + shard,
                    "UPDATE pg_dist_shard SET shardmaxvalue = (shardmaxvalue::int - 10)::text WHERE shardid = " + shard);
            s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.status()).isEqualTo(Status.FAIL);
            assertThat(s.message()).contains("gap in the hash range");
        } finally {
            exec(coordinator, "UPDATE pg_dist_placement SET groupid = " + group + " WHERE shardid = " + shard,
                    "UPDATE pg_dist_shard s SET shardmaxvalue = ((SELECT min(shardminvalue::int) FROM pg_dist_shard n WHERE n.logicalrelid = s.logicalrelid "
                            + "AND n.shardminvalue::int > s.shardminvalue::int) - 1)::text WHERE shardid = " + shard,
                    "SELECT citus_remove_node('127.0.0.1', 1)");
        }
        assertThat(CitusHarness.runYaml(yaml, coordinator).steps().get(0).status()).isEqualTo(Status.PASS);
    }

    @Test
    void orphanedShardTablesAndPendingCleanupRecordsFail() throws Exception {
        String worker = cluster.workers().get(0).jdbcUrl();
        String yaml = """
                name: reality
                steps:
                  - id: shard-tables
                    type: citus.shard_tables
                """;
        try {
            exec(worker, "CREATE TABLE public.ext_storage_records_999999 (tenant_id uuid)");
            StepResult s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.status()).isEqualTo(Status.FAIL);
            assertThat(s.message()).contains("public.ext_storage_records shard 999999 on 127.0.0.1:" + cluster.workers().get(0).port())
                    .contains("orphaned shard table public.ext_storage_records_999999");
            exec(worker, "DROP TABLE public.ext_storage_records_999999");

            exec(coordinator, "INSERT INTO pg_dist_cleanup (record_id, operation_id, object_type, object_name, node_group_id, policy_type) "
                    + "VALUES (777001, 777, 1, 'public.ext_storage_records_888888', 1, 1)");
            s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.status()).isEqualTo(Status.FAIL);
            assertThat(s.message()).contains("pending cleanup record 777001").contains("public.ext_storage_records_888888");
        } finally {
            exec(worker, "DROP TABLE IF EXISTS public.ext_storage_records_999999");
            exec(coordinator, "DELETE FROM pg_dist_cleanup WHERE record_id = 777001");
        }
        assertThat(CitusHarness.runYaml(yaml, coordinator).steps().get(0).status()).isEqualTo(Status.PASS);
    }

    @Test
    void skewWarnsAndNamesTheNode() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS skew_t (tenant_id int, payload text)");
        if (!isDistributed("skew_t")) {
            exec(coordinator, "SELECT create_distributed_table('skew_t', 'tenant_id', colocate_with => 'none', shard_count => 4)",
                    "INSERT INTO skew_t SELECT 7, repeat('x', 200) FROM generate_series(1, 20000)");
        }
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "skew_t", "skew_factor", "1.5"));
        StepResult skew = CitusHarness.step(report, "skew");
        assertThat(skew.status()).as(CitusHarness.describe(skew)).isEqualTo(Status.WARN);
        long port = scalar(coordinator, "SELECT nodeport FROM pg_dist_node n JOIN pg_dist_placement p USING (groupid) "
                + "WHERE p.shardid = get_shard_id_for_distribution_column('skew_t', 7)");
        assertThat(skew.message()).contains("skewed: 127.0.0.1:" + port + " holds ").contains("x the mean");
        assertThat(skew.metrics()).anyMatch(m -> m.name().equals("pgrunbook_citus_node_bytes"));
    }

    @Test
    void aTransactionAcrossTablesThatAreNotColocatedFailsAndLeavesNothing() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS other_t (tenant_id uuid)");
        if (!isDistributed("other_t")) {
            exec(coordinator, "SELECT create_distributed_table('other_t', 'tenant_id', colocate_with => 'none')");
        }
        long before = scalar(coordinator, "SELECT count(*) FROM ext_storage_records");
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "ext_storage_records,other_t"));
        StepResult tx = CitusHarness.step(report, "colocated-transaction");
        assertThat(tx.status()).isEqualTo(Status.FAIL);
        assertThat(tx.message()).contains("not co-located");
        assertThat(scalar(coordinator, "SELECT count(*) FROM ext_storage_records")).isEqualTo(before);
        assertThat(scalar(cluster.workers().get(0).jdbcUrl(), "SELECT count(*) FROM pg_prepared_xacts")).isZero();
    }

    @Test
    void smokeNamesExactlyThePlacementThatDoesNotAnswer() throws Exception {
        // One batched probe per node; a missing shard table fails that node's batch, and its placements are then
        // probed one by one so that only the broken one is reported.
        int port = cluster.workers().get(1).port();
        long shard = scalar(coordinator, "SELECT min(shardid) FROM citus_shards WHERE table_name = 'ext_storage_usage'::regclass AND nodeport = " + port);
        String worker = cluster.workers().get(1).jdbcUrl();
        String rename = "SET citus.enable_manual_changes_to_shards TO on; ALTER TABLE public.ext_storage_usage_%s RENAME TO %s";
        String yaml = """
                name: smoke
                steps:
                  - id: smoke
                    type: citus.smoke
                    with: { tables: [ext_storage_records, ext_storage_usage] }
                """;
        try {
            exec(worker, String.format(rename, shard, "smoke_moved_away"));
            StepResult s = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
            assertThat(s.status()).as(CitusHarness.describe(s)).isEqualTo(Status.FAIL);
            assertThat(s.message()).startsWith("1 failed shard; first: ext_storage_usage shard " + shard + " on 127.0.0.1:" + port)
                    .contains("does not exist");
            assertThat(s.evidence().rows()).hasSize(1);
        } finally {
            exec(worker, "SET citus.enable_manual_changes_to_shards TO on; ALTER TABLE IF EXISTS public.smoke_moved_away RENAME TO ext_storage_usage_" + shard);
        }
        StepResult healthy = CitusHarness.runYaml(yaml, coordinator).steps().get(0);
        assertThat(healthy.status()).isEqualTo(Status.PASS);
        assertThat(healthy.message()).contains("64 shard placements answered; slowest: ");
    }

    /** Tables lay_a and lay_b on tenant_id, co-located, and one more: {@code table} distributed by {@code column} as {@code colocateWith} says. */
    private static void layTables(String table, String column, String colocateWith) throws Exception {
        String[][] layout = {{"lay_a", "tenant_id", "none"}, {"lay_b", "tenant_id", "lay_a"}, {table, column, colocateWith}};
        for (String[] t : layout) {
            exec(coordinator, "CREATE TABLE IF NOT EXISTS " + t[0] + " (tenant_id uuid NOT NULL, install_id uuid NOT NULL, v text)");
            if (!isDistributed(t[0])) {
                exec(coordinator, "SELECT create_distributed_table('" + t[0] + "', '" + t[1] + "', colocate_with => '" + t[2] + "')");
            }
        }
    }

    @Test
    void aTableDistributedByAnotherColumnButColocatedIsNamedByTheShippedRunbook() throws Exception {
        layTables("lay_c", "install_id", "lay_a");
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "lay_a,lay_b,lay_c"));
        StepResult dist = CitusHarness.step(report, "hash-distributed");
        assertThat(dist.status()).as(CitusHarness.describe(dist)).isEqualTo(Status.FAIL);
        assertThat(dist.message()).startsWith("1 problem; first: lay_c: distributed by install_id, expected tenant_id")
                .contains("alter_distributed_table('lay_c', distribution_column := 'tenant_id')");
        assertThat(report.exitCode().code()).isEqualTo(1);

        // Declared, the column wins over the majority: now the two others are the ones at fault.
        StepResult declared = CitusHarness.step(CitusHarness.runShipped(coordinator, Map.of("tables", "lay_a,lay_b,lay_c",
                "column", "install_id")), "hash-distributed");
        assertThat(declared.evidence().rows().toString()).contains("lay_a, null, null, distributed by tenant_id, expected install_id")
                .contains("lay_b, null, null, distributed by tenant_id").doesNotContain("lay_c");

        StepResult right = CitusHarness.step(CitusHarness.runShipped(coordinator, Map.of("tables", "lay_a,lay_b", "column", "tenant_id")),
                "hash-distributed");
        assertThat(right.status()).as(CitusHarness.describe(right)).isEqualTo(Status.PASS);
        assertThat(right.message()).contains("2 tables hash-distributed by tenant_id in colocation group");
    }

    @Test
    void theTableThatIsNotColocatedIsNamed() throws Exception {
        layTables("lay_d", "tenant_id", "none");
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "lay_a,lay_d,lay_b"));
        StepResult dist = CitusHarness.step(report, "hash-distributed");
        assertThat(dist.status()).isEqualTo(Status.FAIL);
        assertThat(dist.evidence().rows()).hasSize(1);
        assertThat(dist.message()).contains("lay_d: not co-located with the others: colocationid")
                .contains("update_distributed_table_colocation('lay_d', colocate_with => 'lay_a')");
        StepResult tx = CitusHarness.step(report, "colocated-transaction");
        assertThat(tx.status()).isEqualTo(Status.FAIL);
        assertThat(tx.message()).contains("lay_d: not co-located with the others");
    }

    @Test
    void aReferenceTableAmongTheCheckedTablesIsNamedNotAnError() throws Exception {
        exec(coordinator, "CREATE TABLE IF NOT EXISTS ref_t (id int)");
        if (!isDistributed("ref_t")) {
            exec(coordinator, "SELECT create_reference_table('ref_t')");
        }
        exec(coordinator, "INSERT INTO ref_t SELECT generate_series(1, 5000)");
        RunReport report = CitusHarness.runShipped(coordinator, Map.of("tables", "ext_storage_records,ref_t"));
        StepResult tx = CitusHarness.step(report, "colocated-transaction");
        assertThat(tx.status()).as(CitusHarness.describe(tx)).isEqualTo(Status.FAIL);
        assertThat(tx.message()).contains("ref_t: has no distribution column: a reference table");
        // The coordinator holds the reference table's copy but takes no shards: it is not a node of the skew.
        StepResult skew = CitusHarness.step(report, "skew");
        assertThat(skew.message()).contains("2 nodes within", "reference tables not counted: ref_t");
        assertThat(skew.evidence().rows().toString()).doesNotContain(":" + cluster.coordinator().port());
    }
}
