package io.pgrunbook.cli;

import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.count;
import static io.pgrunbook.cli.MigrateFaultsIntegrationTest.migrate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Out-of-order versions, repeatable migrations, and plans that say what a run would do. */
@ExtendWith(TestPostgres.class)
class MigrateLifecycleIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void aVersionBelowTheHighestAppliedIsRefusedUnlessAskedAndThenRecorded() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_ooo");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
        Files.writeString(dir.resolve("3_c.up.sql"), "CREATE TABLE c (id int);\n");
        CliRun first = migrate(dir, url, "up", "--yes");
        assertTrue(first.out.contains("2 of 2 applied"), first.toString());
        Files.writeString(dir.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n");
        CliRun refused = migrate(dir, url, "up", "--yes");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.out.contains("refusing to apply out of order: 2_b.up.sql") && refused.out.contains("--out-of-order"), refused.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'b'"));
        CliRun allowed = migrate(dir, url, "up", "--yes", "--out-of-order");
        assertEquals(0, allowed.exitCode, allowed.toString());
        assertTrue(allowed.out.contains("1 applied out of order (--out-of-order): 2"), allowed.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE version = '2' AND out_of_order"));
        assertEquals(2, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE NOT out_of_order"));
    }

    @Test
    void repeatableMigrationsRunAfterTheVersionedOnesAndAgainWhenTheyChange() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_repeat");
        Files.writeString(dir.resolve("1_t.up.sql"), "CREATE TABLE t (id int, name text);\n");
        Files.writeString(dir.resolve("R__t_view.sql"), "CREATE OR REPLACE VIEW t_names AS SELECT name FROM t;\n");
        CliRun first = migrate(dir, url, "up", "--yes", "-v");
        assertEquals(0, first.exitCode, first.toString());
        assertTrue(first.out.contains("2 of 2 applied (1 repeatable, new or changed)"), first.toString());
        assertTrue(migrate(dir, url, "up", "--yes").out.contains("up to date"));
        Files.writeString(dir.resolve("R__t_view.sql"), "CREATE OR REPLACE VIEW t_names AS SELECT name, id FROM t;\n");
        CliRun status = migrate(dir, url, "status");
        assertTrue(status.out.contains("1 repeatable to (re)apply"), status.toString());
        CliRun again = migrate(dir, url, "up", "--yes");
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out.contains("1 of 1 applied (1 repeatable, new or changed)"), again.toString());
        assertEquals(2, count(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't_names'"));
        assertEquals(0, migrate(dir, url, "validate").exitCode);
    }

    @Test
    void copyDataAndBeginAtomicBodiesRunAndAMetaCommandStopsTheRunBeforeAnything() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_split");
        Files.writeString(dir.resolve("1_seed.up.sql"), """
                CREATE TABLE codes (code int PRIMARY KEY, label text);
                COPY codes (code, label) FROM stdin;
                1\tone; with a semicolon
                2\t\\N
                \\.
                CREATE FUNCTION code_label(c int) RETURNS text LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN label IS NULL THEN 'none' ELSE label END FROM codes WHERE code = c;
                END;
                """);
        CliRun up = migrate(dir, url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM codes WHERE label IS NULL AND code = 2"));
        assertEquals(1, count(url, "SELECT count(*) FROM codes WHERE code_label(1) = 'one; with a semicolon' AND code_label(2) = 'none' AND code = 1"));
        Files.writeString(dir.resolve("2_more.up.sql"), "CREATE TABLE more (id int);\n");
        Files.writeString(dir.resolve("3_psql.up.sql"), "\\set ON_ERROR_STOP on\nCREATE TABLE psql_only (id int);\n");
        CliRun refused = migrate(dir, url, "up", "--yes");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.out.contains("3_psql.up.sql: line 1: \\set is a psql meta-command"), refused.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'more'"));
    }

    @Test
    void anOldHistoryTableIsUpgradedInPlace() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_upgrade");
        MigrateFaultsIntegrationTest.exec(url, """
                CREATE TABLE pgrunbook_schema_history (version text PRIMARY KEY, description text NOT NULL,
                  kind text NOT NULL CHECK (kind IN ('migration', 'baseline')), checksum text, transactional boolean NOT NULL DEFAULT true,
                  applied_by text NOT NULL DEFAULT current_user, applied_at timestamptz NOT NULL DEFAULT now(), execution_ms bigint,
                  success boolean NOT NULL, error text)""");
        Files.writeString(dir.resolve("R__v.sql"), "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n");
        CliRun up = migrate(dir, url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE kind = 'repeatable'"));
    }

    @Test
    void plansListWhatTheRunWouldDoAndRefusalsNameTheSubcommandsDryRun() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Files.writeString(dir.resolve(i + "_t" + i + ".up.sql"), "CREATE TABLE t" + i + " (id int);\n");
            Files.writeString(dir.resolve(i + "_t" + i + ".down.sql"), "DROP TABLE t" + i + ";\n");
        }
        CliRun one = CliRun.run("migrate", "down", "--steps", "1", "--dry-run", "--dir", dir.toString());
        assertEquals(0, one.exitCode, one.toString());
        assertTrue(one.out.contains("DROP TABLE t3;") && !one.out.contains("DROP TABLE t2;"), one.out);
        CliRun all = CliRun.run("migrate", "down", "--to", "0", "--dry-run", "--dir", dir.toString());
        assertTrue(all.out.contains("DROP TABLE t3;") && all.out.contains("DROP TABLE t1;") && all.out.contains("(all of them)"), all.out);
        Files.writeString(dir.resolve("4_slow.up.sql"), "SET LOCAL lock_timeout = '1s';\nCREATE TABLE t4 (id int);\n");
        CliRun up = CliRun.run("migrate", "up", "--dry-run", "--safe", "--dir", dir.toString());
        assertTrue(up.out.contains("timeout 30min, lock_timeout 2s"), up.out);
        assertTrue(up.out.contains("SET LOCAL lock_timeout = '2000ms';"), up.out);
        assertTrue(up.out.contains("line 1 sets lock_timeout itself"), up.out);
        CliRun refused = CliRun.run("migrate", "up", "--dir", dir.toString(), "--db", "postgres://nobody@127.0.0.1:1/x");
        assertEquals(2, refused.exitCode, refused.toString());
        assertTrue(refused.err.contains("'pgrunbook migrate up --dry-run'"), refused.toString());
        assertFalse(refused.err.contains("pgrunbook plan"), refused.toString());
    }
}
