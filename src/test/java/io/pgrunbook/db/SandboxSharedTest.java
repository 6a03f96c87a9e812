package io.pgrunbook.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPostgres.class)
class SandboxSharedTest {
    private final TestPostgres postgres = TestPostgres.shared();

    @Test
    void sharedServerIsReachable() throws Exception {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("postgres");
        }
        assertThat(postgres.sandbox().url()).isEqualTo(postgres.url());
    }

    @Test
    void eachCreatedDatabaseIsFreshAndSeparate() throws Exception {
        String first = postgres.createDatabase("SandboxSharedTest");
        String second = postgres.createDatabase("SandboxSharedTest");
        assertThat(first).isNotEqualTo(second).contains("/sandboxsharedtest_");

        try (Connection c = DriverManager.getConnection(first); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int)");
        }
        try (Connection c = DriverManager.getConnection(second); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('t') IS NULL")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }
}
