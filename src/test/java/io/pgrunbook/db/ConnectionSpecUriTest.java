package io.pgrunbook.db;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConnectionSpecUriTest {
    private static final Map<String, String> ENV = Map.of("USER", "osuser");

    static Stream<Arguments> uris() {
        return Stream.of(
                arguments("postgresql://ops@db1:5433/app", List.of("db1"), List.of(5433), "ops", "app", null,
                        "jdbc:postgresql://db1:5433/app"),
                arguments("postgres://ops:s3cret@db1/app", List.of("db1"), List.of(5432), "ops", "app", "s3cret",
                        "jdbc:postgresql://db1:5432/app"),
                arguments("postgresql://", List.of(UnixSockets.defaultDirectory()), List.of(5432), "osuser", "osuser", null,
                        "jdbc:postgresql://localhost:5432/osuser"),
                arguments("postgresql://h1:5432,h2:5433/app", List.of("h1", "h2"), List.of(5432, 5433), "osuser", "app",
                        null, "jdbc:postgresql://h1:5432,h2:5433/app"),
                arguments("postgresql://h1:6000,h2/app", List.of("h1", "h2"), List.of(6000, 5432), "osuser", "app",
                        null, "jdbc:postgresql://h1:6000,h2:5432/app"),
                arguments("postgresql://[::1]:5433/app", List.of("::1"), List.of(5433), "osuser", "app", null,
                        "jdbc:postgresql://[::1]:5433/app"),
                arguments("postgresql://[2001:db8::7],db2:5433/app", List.of("2001:db8::7", "db2"), List.of(5432, 5433),
                        "osuser", "app", null, "jdbc:postgresql://[2001:db8::7]:5432,db2:5433/app"),
                arguments("postgresql://us%40er:p%40ss%2Fw%3Ard@db1/my%20db", List.of("db1"), List.of(5432), "us@er",
                        "my db", "p@ss/w:rd", "jdbc:postgresql://db1:5432/my+db"),
                arguments("postgresql://ops@db1/app?host=db9&port=7000&user=other&dbname=x",
                        List.of("db9"), List.of(7000), "other", "x", null, "jdbc:postgresql://db9:7000/x"),
                arguments("postgresql:///app?host=db3", List.of("db3"), List.of(5432), "osuser", "app", null,
                        "jdbc:postgresql://db3:5432/app"),
                arguments("postgresql://db1/caf%C3%A9", List.of("db1"), List.of(5432), "osuser", "café", null,
                        "jdbc:postgresql://db1:5432/caf%C3%A9"));
    }

    @ParameterizedTest
    @MethodSource("uris")
    void readsUris(String uri, List<String> hosts, List<Integer> ports, String user, String db, String password,
                   String jdbcUrl) {
        ConnectionSpec spec = ConnectionSpec.parse(uri, ENV);

        assertThat(spec.hosts()).isEqualTo(hosts);
        assertThat(spec.ports()).isEqualTo(ports);
        assertThat(spec.user()).isEqualTo(user);
        assertThat(spec.database()).isEqualTo(db);
        assertThat(spec.password().orElse(null)).isEqualTo(password);
        assertThat(spec.jdbcUrl()).isEqualTo(jdbcUrl);
        if (password != null) {
            assertThat(spec.properties().getProperty("password")).isEqualTo(password);
            assertThat(spec.jdbcUrl()).doesNotContain(password);
            assertThat(spec.display()).doesNotContain(password);
            assertThat(spec.secrets()).contains(password);
        }
    }

    static Stream<Arguments> queryParameters() {
        return Stream.of(
                arguments("sslmode=verify-full", "sslmode", "verify-full"),
                arguments("ssl=true", "sslmode", "require"),
                arguments("sslrootcert=/etc/ssl/root.crt", "sslrootcert", "/etc/ssl/root.crt"),
                arguments("connect_timeout=7", "connectTimeout", "7"),
                arguments("options=-c%20statement_timeout%3D5s", "options", "-c statement_timeout=5s"),
                arguments("target_session_attrs=read-write", "targetServerType", "primary"),
                arguments("target_session_attrs=primary", "targetServerType", "primary"),
                arguments("target_session_attrs=read-only", "targetServerType", "secondary"),
                arguments("target_session_attrs=standby", "targetServerType", "secondary"),
                arguments("target_session_attrs=prefer-standby", "targetServerType", "preferSecondary"),
                arguments("target_session_attrs=any", "targetServerType", "any"),
                arguments("application_name=nightly", "ApplicationName", "nightly"));
    }

    @ParameterizedTest
    @MethodSource("queryParameters")
    void mapsQueryParametersToPgjdbcProperties(String query, String property, String value) {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://db1/app?" + query, ENV);

        assertThat(spec.properties().getProperty(property)).isEqualTo(value);
    }
}
