package io.pgrunbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPostgres.class)
class MigrateCommandIntegrationTest {
    @TempDir
    Path dir;

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private CliRun migrate(String url, String... args) {
        String[] all = new String[args.length + 6];
        all[0] = "migrate";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--dir";
        all[args.length + 2] = dir.toString();
        all[args.length + 3] = "--db";
        all[args.length + 4] = url;
        all[args.length + 5] = "--no-color";
        return CliRun.run(all);
    }

    @Test
    void seedMigrationAppliesAndRollsBack() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_seed");
        for (Path f : Files.list(Path.of("runbooks/migrations")).toList()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        CliRun up = migrate(url, "up", "--yes");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(2, count(url, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('ext_storage_records_ttl_idx', 'ext_storage_records_namespace_prefix_idx')"));
        assertEquals(1, count(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ext_storage_records_ttl_idx' AND indexdef LIKE '%WHERE (expires_at IS NOT NULL)%'"));
        assertEquals(3, count(url, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'ext_storage_%_updated_at'"));
        CliRun again = migrate(url, "up", "--yes");
        assertTrue(again.out.contains("up to date"), again.toString());
        CliRun down = migrate(url, "down", "--yes");
        assertEquals(0, down.exitCode, down.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname LIKE 'ext_storage_%'"));
        assertEquals(0, count(url, "SELECT count(*) FROM pgrunbook_schema_history"));
    }

    @Test
    void failureInThirdOfFiveLeavesOneAndTwoAppliedAndThreeRecordedFailed() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_fail");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
        Files.writeString(dir.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n");
        Files.writeString(dir.resolve("3_c.up.sql"), "CREATE TABLE c (id int);\n\nCREATE TABLEX oops (id int);\n");
        Files.writeString(dir.resolve("4_d.up.sql"), "CREATE TABLE d (id int);\n");
        Files.writeString(dir.resolve("5_e.up.sql"), "CREATE TABLE e (id int);\n");
        CliRun up = migrate(url, "up", "--yes");
        assertEquals(1, up.exitCode, up.toString());
        assertTrue(up.out.contains("3_c.up.sql:3"), up.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname IN ('c', 'd', 'e')"));
        assertEquals(2, count(url, "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"));
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE version = '3' AND NOT success"));
        assertEquals(2, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
        CliRun validate = migrate(url, "validate");
        assertEquals(1, validate.exitCode, validate.toString());
        // Fixed file: a failed transactional migration left nothing behind, so up simply runs it again.
        Files.writeString(dir.resolve("3_c.up.sql"), "CREATE TABLE c (id int);\n");
        assertEquals(0, migrate(url, "up", "--yes").exitCode);
        assertEquals(5, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success"));
    }

    @Test
    void crlfIsNotDriftButAnEditIsAndRepairAcceptsIt() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_drift");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\nCREATE TABLE a2 (id int);\n");
        assertEquals(0, migrate(url, "up", "--yes").exitCode);
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\r\nCREATE TABLE a2 (id int);\r\n");
        CliRun crlf = migrate(url, "validate");
        assertEquals(0, crlf.exitCode, crlf.toString());
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id bigint);\nCREATE TABLE a2 (id int);\n");
        CliRun changed = migrate(url, "validate", "--format", "json");
        assertEquals(1, changed.exitCode, changed.toString());
        assertTrue(changed.out.contains("\"changed\""), changed.out);
        assertEquals(1, migrate(url, "up", "--yes").exitCode);
        assertEquals(0, migrate(url, "repair", "--yes").exitCode);
        assertEquals(0, migrate(url, "validate").exitCode);
        Files.delete(dir.resolve("1_a.up.sql"));
        Files.writeString(dir.resolve("2_b.up.sql"), "CREATE TABLE b (id int);\n");
        CliRun missing = migrate(url, "validate");
        assertEquals(1, missing.exitCode, missing.toString());
        assertTrue(missing.out.contains("missing"), missing.toString());
    }

    @Test
    void concurrentlyUnderTheLockCompletesWithAnotherTransactionOpenElsewhere() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_cic");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 1000)");
        }
        Files.writeString(dir.resolve("1_idx.up.sql"), "CREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n");
        Files.writeString(dir.resolve("1_idx.down.sql"), "DROP INDEX CONCURRENTLY t_id_idx;\n");
        CliRun up = migrate(url, "up", "--yes", "--statement-timeout", "20s");
        assertEquals(0, up.exitCode, up.toString());
        assertEquals(1, count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_id_idx' AND i.indisvalid"));
        assertEquals(1, count(url, "SELECT count(*) FROM pgrunbook_schema_history WHERE success AND NOT transactional"));
        assertEquals(0, migrate(url, "down", "--yes").exitCode);
    }

    @Test
    void secondRunWaitsThenExitsThreeNamingTheHolder() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_lock");
        Files.writeString(dir.resolve("1_a.up.sql"), "CREATE TABLE a (id int);\n");
        try (Connection holder = DriverManager.getConnection(url); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(1885827682, hashtext('pgrunbook:migrate:\"public\".\"pgrunbook_schema_history\"'))");
            long pid;
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getLong(1);
            }
            CliRun blocked = migrate(url, "up", "--yes", "--lock-wait", "500ms");
            assertEquals(3, blocked.exitCode, blocked.toString());
            assertTrue(blocked.out.contains("pid " + pid), blocked.toString());
        }
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'a'"));
        assertEquals(0, migrate(url, "up", "--yes").exitCode);
    }

    @Test
    void safeModeRefusesLintFindingsBeforeAnythingRuns() throws Exception {
        String url = TestPostgres.shared().createDatabase("migrate_safe");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int)");
        }
        Files.writeString(dir.resolve("1_idx.up.sql"), "CREATE TABLE n (id int);\nCREATE INDEX t_idx ON t (id);\n");
        CliRun safe = migrate(url, "up", "--yes", "--safe");
        assertEquals(1, safe.exitCode, safe.toString());
        assertTrue(safe.out.contains("create-index-locks"), safe.toString());
        assertEquals(0, count(url, "SELECT count(*) FROM pg_class WHERE relname = 'n'"));
        CliRun plan = migrate(url, "up", "--dry-run");
        assertEquals(0, plan.exitCode, plan.toString());
        assertTrue(plan.out.contains("SET LOCAL lock_timeout = '10000ms';") && plan.out.contains("CREATE INDEX t_idx ON t (id);"), plan.out);
    }
}
