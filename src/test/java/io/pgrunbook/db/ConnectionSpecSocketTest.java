package io.pgrunbook.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unix-socket hosts become junixsocket's factory and the socket file, as libpq finds it. */
class ConnectionSpecSocketTest {
    @Test
    void aSocketDirectoryBecomesTheSocketFileWithoutSsl() {
        ConnectionSpec spec = ConnectionSpec.parse("host=/run/pg port=5555 user=ops dbname=app sslmode=require", Map.of());

        assertThat(spec.socketDirectory()).contains("/run/pg");
        assertThat(spec.properties()).containsEntry("socketFactory", UnixSockets.FACTORY)
                .containsEntry("socketFactoryArg", "/run/pg/.s.PGSQL.5555")
                .containsEntry("sslmode", "disable");
        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5555/app");
        assertThat(spec.display()).startsWith("postgresql://ops@%2Frun%2Fpg:5555/app");
    }

    @Test
    void pghostAndTheEncodedUriFormAreTheSame() {
        ConnectionSpec fromEnv = ConnectionSpec.parse("", Map.of("PGHOST", "/run/pg", "PGUSER", "ops", "PGDATABASE", "app"));
        ConnectionSpec fromUri = ConnectionSpec.parse("postgresql://ops@%2Frun%2Fpg/app", Map.of());
        ConnectionSpec fromQuery = ConnectionSpec.parse("postgresql:///app?host=/run/pg&user=ops", Map.of());

        assertThat(fromEnv.properties()).isEqualTo(fromUri.properties()).isEqualTo(fromQuery.properties());
        assertThat(fromEnv.display()).isEqualTo(fromUri.display()).isEqualTo(fromQuery.display());
    }

    @Test
    void noHostMeansLibpqsDefaultSocketDirectoryButPgjdbcsLocalhostForAJdbcUrl() {
        assertThat(ConnectionSpec.parse("dbname=app", Map.of("USER", "ops")).hosts())
                .containsExactly(UnixSockets.defaultDirectory());
        assertThat(ConnectionSpec.parse("jdbc:postgresql:app", Map.of("USER", "ops")).hosts()).containsExactly("localhost");
    }

    @Test
    void tcpHostsGetNoSocketFactory() {
        assertThat(ConnectionSpec.parse("host=db1", Map.of("USER", "ops")).properties()).doesNotContainKey("socketFactory");
    }
}
