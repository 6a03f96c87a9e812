package io.pgrunbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.CitusCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped seed 001 migration on a real three-node Citus cluster (skipped loudly without Citus). */
class MigrateCitusIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void seedMigrationDistributesTheTablesColocatedAndRollsBackCleanly() throws Exception {
        CitusCluster cluster = CitusCluster.shared();
        String url = cluster.coordinatorUrl();
        String jdbc = cluster.coordinatorJdbcUrl();
        for (Path f : Files.list(Path.of("runbooks/migrations")).toList()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        CliRun up = MigrateFaultsIntegrationTest.migrate(dir, url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(3, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text IN "
                + "('ext_storage_records', 'ext_storage_schemas', 'ext_storage_usage') AND partmethod = 'h'"));
        assertEquals(1, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid::text "
                + "IN ('ext_storage_records', 'ext_storage_schemas', 'ext_storage_usage')"));
        assertEquals(3, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(*) FROM pg_dist_partition p JOIN pg_attribute a ON a.attrelid = p.logicalrelid "
                + "AND a.attname = 'tenant_id' WHERE column_to_column_name(p.logicalrelid, p.partkey) = 'tenant_id'"));
        assertEquals(0, MigrateFaultsIntegrationTest.migrate(dir, url, "validate").exitCode);
        // Lint with the coordinator reports the distributed table's size, not the coordinator's empty shell.
        MigrateFaultsIntegrationTest.exec(jdbc, "INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value) "
                + "SELECT gen_random_uuid(), gen_random_uuid(), 'n', 'k' || g, '{}'::jsonb FROM generate_series(1, 2000) g");
        Files.writeString(dir.resolve("002_by_value.up.sql"), "CREATE INDEX ext_storage_records_value_idx ON ext_storage_records (key);\n");
        CliRun lint = MigrateFaultsIntegrationTest.migrate(dir, url, "lint");
        assertTrue(lint.out.matches("(?s).*\\(table ext_storage_records: \\d+ kB distributed.*"), lint.toString());
        Files.delete(dir.resolve("002_by_value.up.sql"));
        CliRun down = MigrateFaultsIntegrationTest.migrate(dir, url, "down", "--yes");
        assertEquals(0, down.exitCode, down.toString());
        assertEquals(0, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'ext_storage_%'"));
        assertEquals(0, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(*) FROM pg_class WHERE relname LIKE 'ext_storage_%'"));
        assertEquals(0, MigrateFaultsIntegrationTest.count(jdbc, "SELECT count(*) FROM pgrunbook_schema_history"));
    }
}
