package io.pgrunbook.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.error.PgRunbookException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {

    @Test
    void aSandboxWithTlsServesItToTheDefaultSslmodeWithAKeyOnlyItsOwnerReads() throws Exception {
        Sandbox sandbox = Sandbox.start(SandboxOptions.defaults().withTls(true));
        try {
            try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl()); Statement s = c.createStatement()) {
                assertThat(single(s, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("t");
                assertThat(single(s, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).startsWith("TLS");
            }
            try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl() + "&sslmode=disable"); Statement s = c.createStatement()) {
                assertThat(single(s, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("f");
            }
            assertThat(java.nio.file.Files.getPosixFilePermissions(sandbox.directory().resolve("data/server.key")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        } finally {
            sandbox.stop();
        }
        assertThat(sandbox.directory()).doesNotExist();
    }

    @Test
    void aSandboxWithTlsWithoutOpensslSaysHowToInstallItBeforeAnythingStarts(@TempDir Path noOpenssl) {
        assertThatThrownBy(() -> SandboxTls.openssl(noOpenssl + java.io.File.pathSeparator))
                .isInstanceOf(PgRunbookException.class)
                .hasMessageContaining("needs the openssl program").hasMessageContaining("apt-get install openssl");
        assertThat(SandboxTls.openssl("/nonexistent" + java.io.File.pathSeparator + System.getenv("PATH"))).endsWith("/openssl");
    }

    @Test
    void startsARealServerAndRemovesEveryTraceOnStop() throws Exception {
        Sandbox sandbox = Sandbox.start(SandboxOptions.defaults());
        try {
            assertThat(sandbox.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + sandbox.port() + "/postgres");
            assertThat(sandbox.jdbcUrl())
                    .isEqualTo("jdbc:postgresql://127.0.0.1:" + sandbox.port() + "/postgres?user=postgres");
            assertThat(sandbox.serverMajorVersion()).isEqualTo(sandbox.binaries().majorVersion());
            assertThat(sandbox.isRunning()).isTrue();
            assertThat(sandbox.pid()).isPositive();

            try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl()); Statement s = c.createStatement()) {
                assertThat(single(s, "SELECT 1")).isEqualTo("1");
                assertThat(single(s, "SHOW port")).isEqualTo(String.valueOf(sandbox.port()));
                s.execute("CREATE EXTENSION pg_stat_statements");
                assertThat(single(s, "SELECT count(*) >= 0 FROM pg_stat_statements")).isEqualTo("t");
            }
        } finally {
            sandbox.stop();
        }

        assertThat(sandbox.directory()).doesNotExist();
        assertThat(sandbox.isRunning()).isFalse();
        assertRefusesConnections(sandbox.port());
        sandbox.stop(); // a second stop is harmless
        sandbox.close();
    }

    @Test
    void pgStatStatementsPreloadCanBeTurnedOff() throws Exception {
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements());
                Connection c = DriverManager.getConnection(sandbox.jdbcUrl());
                Statement s = c.createStatement()) {
            assertThat(single(s, "SHOW shared_preload_libraries")).isEmpty();
        }
    }

    @Test
    void registryStartsADetachedSandboxReportsItAndStopsIt(@TempDir Path stateDir) throws Exception {
        SandboxRegistry registry = new SandboxRegistry(stateDir);
        assertThat(registry.status()).isEmpty();

        Sandbox started = registry.startDetached(SandboxOptions.defaults().withoutPgStatStatements());
        try {
            Optional<SandboxStatus> status = registry.status();
            assertThat(status).hasValueSatisfying(s -> {
                assertThat(s.running()).isTrue();
                assertThat(s.url()).isEqualTo(started.url());
                assertThat(s.port()).isEqualTo(started.port());
                assertThat(s.directory()).isEqualTo(started.directory());
                assertThat(s.pid()).isPositive();
            });
            try (Connection c = DriverManager.getConnection(status.get().jdbcUrl())) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThatThrownBy(() -> registry.startDetached(SandboxOptions.defaults()))
                    .isInstanceOf(PgRunbookException.class)
                    .hasMessageContaining("already running at " + started.url());
        } finally {
            assertThat(registry.stop()).isTrue();
        }

        assertThat(started.directory()).doesNotExist();
        assertRefusesConnections(started.port());
        assertThat(registry.status()).isEmpty();
        assertThat(registry.stop()).isFalse();
    }

    @Test
    void aStaleRecordIsForgotten(@TempDir Path stateDir) throws Exception {
        SandboxRegistry registry = new SandboxRegistry(stateDir);
        Sandbox started = registry.startDetached(SandboxOptions.defaults().withoutPgStatStatements());
        started.stop(); // behind the registry's back, as a reboot clearing /tmp would

        assertThat(registry.status()).hasValueSatisfying(s -> assertThat(s.running()).isFalse());
        assertThat(registry.stop()).isTrue();
        assertThat(registry.status()).isEmpty();
        assertThat(stateDir.resolve(SandboxRegistry.STATE_FILE)).doesNotExist();
    }

    @Test
    void stateDirectoryFollowsEnvThenXdgThenHome() {
        assertThat(SandboxRegistry.stateDirectory(java.util.Map.of("PGRUNBOOK_STATE_DIR", "/s",
                "XDG_STATE_HOME", "/x"), "/home/u")).isEqualTo(Path.of("/s"));
        assertThat(SandboxRegistry.stateDirectory(java.util.Map.of("XDG_STATE_HOME", "/x"), "/home/u"))
                .isEqualTo(Path.of("/x/pgrunbook"));
        assertThat(SandboxRegistry.stateDirectory(java.util.Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/state/pgrunbook"));
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static void assertRefusesConnections(int port) {
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }).isInstanceOf(ConnectException.class);
    }
}
