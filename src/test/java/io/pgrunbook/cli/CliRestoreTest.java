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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** pgrunbook restore from the command line: plan, confirmation, exit codes, and no password anywhere. */
@ExtendWith(TestPostgres.class)
class CliRestoreTest {
    static final String SECRET = "restore-pw-" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    @Test
    void planConfirmationRestoreAndNoPasswordAnywhere() throws Exception {
        String db = TestPostgres.shared().createDatabase("cli_restore");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 123)");
        }
        int port = TestPostgres.shared().sandbox().port();
        String name = TestPostgres.databaseName(db);
        String url = "postgresql://postgres:" + SECRET + "@127.0.0.1:" + port + "/" + name;
        CliRun backup = CliRun.run("backup", "--db", url, "--dir", tmp.resolve("b").toString(), "-q");
        assertThat(backup.exitCode).as(backup.toString()).isZero();
        Path b;
        try (Stream<Path> list = Files.list(tmp.resolve("b"))) {
            b = list.filter(p -> p.getFileName().toString().startsWith(name)).findFirst().orElseThrow();
        }
        String server = "postgresql://postgres:" + SECRET + "@127.0.0.1:" + port + "/postgres";
        String into = name + "_r";

        CliRun plan = CliRun.run("restore", b.toString(), "--db", server, "--into", into, "--dry-run");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("new database " + into).contains("public.t").contains("create").contains("123");

        CliRun noTerminal = CliRun.run("restore", b.toString(), "--db", server, "--into", into);
        assertThat(noTerminal.exitCode).as(noTerminal.toString()).isEqualTo(2);
        assertThat(noTerminal.all()).contains("--yes");

        CliRun declined = CliRun.run(Map.of(), true, "n\n", "restore", b.toString(), "--db", server, "--into", into);
        assertThat(declined.exitCode).isEqualTo(2);
        assertThat(declined.all()).contains("not confirmed");

        CliRun done = CliRun.run("restore", b.toString(), "--db", server, "--into", into, "--yes", "--format", "json");
        assertThat(done.exitCode).as(done.toString()).isZero();
        try (Connection c = DriverManager.getConnection(TestPostgres.shared().sandbox().jdbcUrl(into));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(123);
        }
        CliRun missing = CliRun.run("restore", b.toString(), "--db", url, "--table", "nope", "--yes");
        assertThat(missing.exitCode).isEqualTo(2);
        assertThat(missing.all()).contains("table nope is not in backup");

        for (CliRun r : new CliRun[] {backup, plan, noTerminal, declined, done, missing}) {
            assertThat(r.all()).doesNotContain(SECRET);
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.toString().endsWith(".json") || f.toString().endsWith(".sql")) {
                    assertThat(Files.readString(f)).as(f.toString()).doesNotContain(SECRET);
                }
            }
        }
    }
}
