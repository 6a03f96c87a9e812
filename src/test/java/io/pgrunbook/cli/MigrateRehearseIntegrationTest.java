package io.pgrunbook.cli;

import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.count;
import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.migrate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrate rehearse}: pending migrations on a sandbox copy, with locks and rewrites, the target untouched. */
@ExtendWith(TestPostgres.class)
class MigrateRehearseIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void pendingMigrationsRunOnACopyReportingLocksAndRewritesAndTheTargetIsUntouched() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_rehearse");
        Files.writeString(dir.resolve("1_accounts.up.sql"), "CREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n"
                + "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n");
        assertEquals(0, migrate(dir, url, "up", "--yes").exitCode);
        MigrateFaultsIntegrationTest.exec(url, "INSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 3000) g",
                "INSERT INTO orders SELECT g, g FROM generate_series(1, 3000) g");
        Files.writeString(dir.resolve("2_type.up.sql"), "ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);\n");
        Files.writeString(dir.resolve("3_index.up.sql"), "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_account_idx ON orders (account_id);\n");
        CliRun run = migrate(dir, url, "rehearse", "--sample-rows", "500");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("rehearsed 2 pending migration(s)") && run.out.contains("at most 500 rows per table"), run.toString());
        assertTrue(run.out.contains("1 took an ACCESS EXCLUSIVE lock, 1 rewrote a table"), run.toString());
        assertTrue(run.out.contains("public.accounts: AccessExclusiveLock"), run.toString());
        // Nothing reached the target: still only the first migration, the old type, no new index.
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history"));
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'orders_account_idx'"));
        assertEquals(1, count(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'name' AND data_type = 'text'"));
        Files.writeString(dir.resolve("4_broken.up.sql"), "ALTER TABLE accounts ADD CONSTRAINT no_such CHECK (nope > 0);\n");
        CliRun broken = migrate(dir, url, "rehearse");
        assertEquals(1, broken.exitCode, broken.toString());
        assertTrue(broken.out.contains("migration 4 fails on the copy") && broken.out.contains("the target was not changed"), broken.toString());
    }
}
