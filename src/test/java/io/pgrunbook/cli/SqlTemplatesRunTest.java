package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

/** ${ident:name} reaches the server as one quoted identifier, whatever the value holds. */
@ExtendWith(TestPostgres.class)
class SqlTemplatesRunTest {

    @Test
    void createDatabaseWithATemplatedNameAndDropIt(@TempDir Path tmp) throws Exception {
        String name = "Drill \"db\"; -- " + ProcessHandle.current().pid();
        Path runbook = Files.writeString(tmp.resolve("drill.yaml"), """
                name: drill
                vars:
                  test_db: placeholder
                steps:
                  - id: create
                    type: sql.exec
                    sql: CREATE DATABASE ${ident:test_db}
                    with: { transaction: false }
                  - id: exists
                    sql: SELECT count(*) FROM pg_database WHERE datname = :test_db
                    expect: { value: 1 }
                  - id: drop
                    type: sql.exec
                    sql: DROP DATABASE ${ident:test_db}
                    with: { transaction: false }
                """);
        CliRun plan = CliRun.run("plan", runbook.toString(), "--set", "test_db=" + name);
        assertThat(plan.out).contains("CREATE DATABASE \"Drill \"\"db\"\"; -- ");
        CliRun run = CliRun.run("run", runbook.toString(), "--db", TestPostgres.shared().url(), "--yes", "--set", "test_db=" + name);
        assertThat(run.exitCode).as(run.toString()).isZero();
        try (Connection c = DriverManager.getConnection(TestPostgres.shared().jdbcUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'Drill%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
