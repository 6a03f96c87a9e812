package io.pgrunbook.cli;

import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.count;
import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.exec;
import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.migrate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history of 124 migrations (src/test/resources/migrations/long-history) that creates, renames and
 * drops indexes, tables, functions, views and a schema, as a real project's does over years.
 */
@ExtendWith(TestPostgres.class)
class MigrateLongHistoryIntegrationTest {
    private static final Path HISTORY = Path.of("src/test/resources/migrations/long-history");

    @TempDir
    Path dir;

    @Test
    void aLongHistoryAppliesWithATrueVerdictAndRollsBackToNothing() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_long");
        CliRun up = migrate(HISTORY, url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertTrue(up.out.contains("124 of 124 applied") && up.out.contains("end state verified"), up.toString());
        assertEquals(124, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
        // Renamed indexes exist under their new names; dropped ones are gone and that is no failure.
        assertEquals(1, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'item_01_by_name_idx'"));
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname IN ('item_00_by_name_idx', 'item_00_name_idx', 'scratch')"));
        assertEquals(1, count(url, "SELECT count(*) FROM pg_proc WHERE proname = 'item_01_total'"));
        assertEquals(0, migrate(HISTORY, url, "validate").exitCode);
        CliRun down = migrate(HISTORY, url, "down", "--to", "0", "--yes");
        assertEquals(0, down.exitCode, down.toString());
        assertTrue(down.out.contains("124 of 124 rolled back"), down.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname LIKE 'item\\_%' OR relname = 'scratch'"));
        assertEquals(0, count(url, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'item\\_%'"));
        assertEquals(0, count(url, "SELECT count(*) FROM pgrunbook_schema_history"));
    }

    @Test
    void anObjectTheMigrationsLeaveBehindButThatIsGoneFailsNamingTheMigration() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_endstate");
        Files.writeString(dir.resolve("1_t.up.sql"), "CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\n");
        Files.writeString(dir.resolve("2_rename.up.sql"), "-- pgrunbook:allow rename internal\nALTER INDEX t_a_idx RENAME TO t_by_a;\n");
        // An event trigger stands in for anything outside the migrations that removes what they made.
        exec(url, "CREATE FUNCTION drop_later() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 't_by_a') THEN EXECUTE 'DROP INDEX t_by_a'; END IF; END $$",
                "CREATE EVENT TRIGGER drop_later ON ddl_command_end WHEN TAG IN ('ALTER INDEX') EXECUTE FUNCTION drop_later()");
        CliRun up = migrate(dir, url, "up", "--yes");
        assertEquals(1, up.exitCode, up.toString());
        assertTrue(up.out.contains("index t_by_a does not exist") && up.out.contains("migration 2 (2_rename.up.sql:2)"), up.toString());
    }
}
