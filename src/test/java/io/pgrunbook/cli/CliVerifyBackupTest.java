package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** verify-backup of a logical backup from the command line: the drill's options reach the drill. */
@ExtendWith(TestPostgres.class)
class CliVerifyBackupTest {
    @TempDir
    Path tmp;

    @Test
    void noAmcheckLeavesPgAmcheckOutOfTheLogicalDrill() throws Exception {
        String db = TestPostgres.shared().createDatabase("cli_verify");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 50)");
        }
        String url = TestPostgres.shared().urlOf(db);
        CliRun backup = CliRun.run("backup", "--db", url, "--dir", tmp.toString(), "-q");
        assertThat(backup.exitCode).as(backup.toString()).isZero();

        CliRun checked = CliRun.run("verify-backup", "--latest", tmp.toString(), "--db", url, "--yes");
        assertThat(checked.exitCode).as(checked.toString()).isZero();
        assertThat(checked.out).contains("amcheck");

        // It used to be read only for --pitr: the logical drill ran pg_amcheck anyway.
        CliRun unchecked = CliRun.run("verify-backup", "--latest", tmp.toString(), "--db", url, "--yes", "--no-amcheck");
        assertThat(unchecked.exitCode).as(unchecked.toString()).isZero();
        assertThat(unchecked.out).contains("1 tables compared").doesNotContain("amcheck");
    }
}
