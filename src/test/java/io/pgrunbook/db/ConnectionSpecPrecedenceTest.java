package io.pgrunbook.db;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSpecPrecedenceTest {
    private static final Map<String, String> PG_ENV = Map.ofEntries(
            Map.entry("USER", "osuser"),
            Map.entry("PGHOST", "envhost"),
            Map.entry("PGPORT", "6543"),
            Map.entry("PGDATABASE", "envdb"),
            Map.entry("PGUSER", "envuser"),
            Map.entry("PGPASSWORD", "envpass"),
            Map.entry("PGSSLMODE", "verify-full"),
            Map.entry("PGSSLROOTCERT", "/env/root.crt"),
            Map.entry("PGCONNECT_TIMEOUT", "9"),
            Map.entry("PGOPTIONS", "-c work_mem=64MB"),
            Map.entry("PGTARGETSESSIONATTRS", "standby"));

    @Test
    void emptyTextTakesEverythingFromTheEnvironment() {
        ConnectionSpec spec = ConnectionSpec.parse("  ", PG_ENV);

        assertThat(spec.hosts()).containsExactly("envhost");
        assertThat(spec.ports()).containsExactly(6543);
        assertThat(spec.database()).isEqualTo("envdb");
        assertThat(spec.user()).isEqualTo("envuser");
        assertThat(spec.password()).contains("envpass");
        assertThat(spec.properties())
                .containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", "/env/root.crt")
                .containsEntry("connectTimeout", "9")
                .containsEntry("options", "-c work_mem=64MB")
                .containsEntry("targetServerType", "secondary");
        assertThat(spec.display()).isEqualTo(
                "postgresql://envuser@envhost:6543/envdb?sslmode=verify-full&target_session_attrs=standby");
    }

    @Test
    void whatTheStringSaysBeatsTheEnvironment() {
        ConnectionSpec spec = ConnectionSpec.parse(
                "postgresql://ops:strpass@db1:5433/app?sslmode=disable&connect_timeout=3", PG_ENV);

        assertThat(spec.hosts()).containsExactly("db1");
        assertThat(spec.ports()).containsExactly(5433);
        assertThat(spec.database()).isEqualTo("app");
        assertThat(spec.user()).isEqualTo("ops");
        assertThat(spec.password()).contains("strpass");
        assertThat(spec.properties()).containsEntry("sslmode", "disable").containsEntry("connectTimeout", "3")
                .containsEntry("sslrootcert", "/env/root.crt");
        assertThat(spec.secrets()).containsExactlyInAnyOrder("strpass", "envpass");
    }

    @Test
    void environmentFillsWhatTheStringLeavesOut() {
        ConnectionSpec spec = ConnectionSpec.parse("dbname=app", PG_ENV);

        assertThat(spec.hosts()).containsExactly("envhost");
        assertThat(spec.ports()).containsExactly(6543);
        assertThat(spec.user()).isEqualTo("envuser");
        assertThat(spec.database()).isEqualTo("app");
    }

    @Test
    void defaultsAreLibpqsSocketDirectory5432AndTheOsUserAsUserAndDatabase() {
        ConnectionSpec spec = ConnectionSpec.parse("", Map.of("USER", "osuser"));

        assertThat(spec.hosts()).containsExactly(UnixSockets.defaultDirectory());
        assertThat(spec.ports()).containsExactly(5432);
        assertThat(spec.user()).isEqualTo("osuser");
        assertThat(spec.database()).isEqualTo("osuser");
        assertThat(spec.hasPassword()).isFalse();
        // libpq never uses SSL over a Unix socket.
        assertThat(spec.properties()).doesNotContainKey("password").containsEntry("sslmode", "disable");
    }

    @Test
    void withoutUserVariableTheJavaUserNameIsTheDefault() {
        ConnectionSpec spec = ConnectionSpec.parse("", Map.of());

        assertThat(spec.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(spec.database()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void databaseDefaultsToTheResolvedUserNotTheOsUser() {
        ConnectionSpec spec = ConnectionSpec.parse("user=ops", Map.of("USER", "osuser"));

        assertThat(spec.database()).isEqualTo("ops");
    }

    @Test
    void emptyEnvironmentValuesCountAsUnset() {
        ConnectionSpec spec = ConnectionSpec.parse("", Map.of("USER", "osuser", "PGHOST", "", "PGPORT", ""));

        assertThat(spec.hosts()).isEqualTo(List.of(UnixSockets.defaultDirectory()));
        assertThat(spec.ports()).isEqualTo(List.of(5432));
    }

    @Test
    void portFromEnvironmentAppliesToEveryHost() {
        ConnectionSpec spec = ConnectionSpec.parse("host=h1,h2", Map.of("USER", "u", "PGPORT", "7000"));

        assertThat(spec.ports()).containsExactly(7000, 7000);
    }
}
