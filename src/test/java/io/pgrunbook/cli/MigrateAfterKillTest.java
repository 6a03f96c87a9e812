package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 8: after {@code kill -9} of {@code migrate up}, its statement runs on in the server;
 * an immediate rerun says so (pid, since when, the statement), waits a bounded time, exits 3, and
 * records no failed row; once that session is gone the rerun applies the migration.
 */
@ExtendWith(TestPostgres.class)
class MigrateAfterKillTest {
    @TempDir
    Path dir;

    @Test
    void aRerunAfterKill9FindsTheStatementStillRunningAndRecordsNoFailure() throws Exception {
        String jdbc = TestPostgres.shared().createDatabase("migrate_kill");
        String url = TestPostgres.shared().urlOf(jdbc);
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve("1_slow.up.sql"), "CREATE TABLE slow (id int);\nSELECT pg_sleep(120);\n");
        ChildProcess first = ChildProcess.start(dir, Map.of(), "migrate", "up", "--yes", "--dir", migrations.toString(), "--db", url);
        long pid = awaitStatement(jdbc, "pg_sleep(120)");
        first.process.destroyForcibly(); // kill -9: the JVM gets no chance to cancel its statement
        first.process.waitFor(30, TimeUnit.SECONDS);

        CliRun rerun = CliRun.run("migrate", "up", "--yes", "--lock-wait", "1s", "--dir", migrations.toString(), "--db", url, "--no-color");
        assertThat(rerun.exitCode).as(rerun.toString()).isEqualTo(3);
        assertThat(rerun.all()).contains("still running migration 1", "pid " + pid, "pg_sleep(120)", "nothing was applied by this run");
        assertThat(count(jdbc, "SELECT count(*) FROM pgrunbook_schema_history WHERE NOT success")).isZero();

        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
        // The killed run's transaction is rolled back with its session; the migration (never applied, so free to change) now runs quickly.
        Files.writeString(migrations.resolve("1_slow.up.sql"), "CREATE TABLE slow (id int);\nINSERT INTO slow VALUES (1);\n");
        CliRun after = CliRun.run("migrate", "up", "--yes", "--lock-wait", "10s", "--dir", migrations.toString(), "--db", url, "--no-color");
        assertThat(after.exitCode).as(after.toString()).isZero();
        assertThat(count(jdbc, "SELECT count(*) FROM slow")).isEqualTo(1);
    }

    static long awaitStatement(String jdbc, String fragment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%"
                            + fragment + "%' AND pid <> pg_backend_pid()")) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the migration never started " + fragment);
    }

    static long count(String jdbc, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
