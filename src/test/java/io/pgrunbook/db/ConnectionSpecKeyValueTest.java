package io.pgrunbook.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConnectionSpecKeyValueTest {
    private static final Map<String, String> ENV = Map.of("USER", "osuser");

    static Stream<Arguments> strings() {
        return Stream.of(
                arguments("host=db1 port=5433 dbname=app user=ops sslmode=require",
                        List.of("db1"), List.of(5433), "ops", "app", null),
                arguments("host = db1   dbname =app user= ops", List.of("db1"), List.of(5432), "ops", "app", null),
                arguments("host=h1,h2 port=5432,5433 dbname=app", List.of("h1", "h2"), List.of(5432, 5433), "osuser",
                        "app", null),
                arguments("host=h1,h2,h3 port=6432", List.of("h1", "h2", "h3"), List.of(6432, 6432, 6432), "osuser",
                        "osuser", null),
                arguments("host=::1 dbname=app", List.of("::1"), List.of(5432), "osuser", "app", null),
                arguments("dbname='my app' user=ops", List.of(UnixSockets.defaultDirectory()), List.of(5432), "ops", "my app", null),
                arguments("password='it\\'s a \\\\ secret' user=ops", List.of(UnixSockets.defaultDirectory()), List.of(5432), "ops",
                        "ops", "it's a \\ secret"),
                arguments("password=back\\ slash user=ops", List.of(UnixSockets.defaultDirectory()), List.of(5432), "ops", "ops",
                        "back slash"),
                arguments("dbname=app password=''", List.of(UnixSockets.defaultDirectory()), List.of(5432), "osuser", "app", null));
    }

    @ParameterizedTest
    @MethodSource("strings")
    void readsLibpqKeyValueStrings(String text, List<String> hosts, List<Integer> ports, String user, String db,
                                   String password) {
        ConnectionSpec spec = ConnectionSpec.parse(text, ENV);

        assertThat(spec.hosts()).isEqualTo(hosts);
        assertThat(spec.ports()).isEqualTo(ports);
        assertThat(spec.user()).isEqualTo(user);
        assertThat(spec.database()).isEqualTo(db);
        assertThat(spec.password().orElse(null)).isEqualTo(password);
        assertThat(spec.hasPassword()).isEqualTo(password != null);
    }

    @Test
    void displaysAsAUriWithoutThePassword() {
        ConnectionSpec spec = ConnectionSpec.parse("host=db1 port=5433 dbname=app user=ops password=hunter22 sslmode=require", ENV);

        assertThat(spec.display()).isEqualTo("postgresql://ops@db1:5433/app?sslmode=require");
        assertThat(spec).hasToString(spec.display());
        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5433/app");
        assertThat(spec.properties()).containsEntry("user", "ops").containsEntry("password", "hunter22")
                .containsEntry("sslmode", "require").containsEntry("ApplicationName", "pgrunbook");
    }

    @Test
    void propertiesAreAFreshCopyEachTime() {
        ConnectionSpec spec = ConnectionSpec.parse("host=db1 user=ops", ENV);

        spec.properties().setProperty("user", "mallory");

        assertThat(spec.properties().getProperty("user")).isEqualTo("ops");
    }

    @Test
    void applicationNameIsPgrunbookUnlessTheCallerAsks() {
        ConnectionSpec spec = ConnectionSpec.parse("host=db1", ENV);

        assertThat(spec.properties().getProperty("ApplicationName")).isEqualTo("pgrunbook");
        assertThat(spec.withApplicationName("pgrunbook-backup").properties().getProperty("ApplicationName"))
                .isEqualTo("pgrunbook-backup");
        assertThat(spec.properties().getProperty("ApplicationName")).isEqualTo("pgrunbook");
    }

    @Test
    void ipv6HostsAreBracketedInUrls() {
        ConnectionSpec spec = ConnectionSpec.parse("host=::1 port=5433 dbname=app user=ops", ENV);

        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/app");
        assertThat(spec.display()).isEqualTo("postgresql://ops@[::1]:5433/app");
    }
}
