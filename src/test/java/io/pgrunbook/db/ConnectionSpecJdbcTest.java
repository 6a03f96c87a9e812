package io.pgrunbook.db;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConnectionSpecJdbcTest {
    private static final Map<String, String> ENV = Map.of("USER", "osuser");

    static Stream<Arguments> urls() {
        return Stream.of(
                arguments("jdbc:postgresql://db1:5433/app?user=ops&password=pw%26d",
                        List.of("db1"), List.of(5433), "ops", "app", "pw&d", "jdbc:postgresql://db1:5433/app"),
                arguments("jdbc:postgresql://h1,h2:6000/app?targetServerType=primary&ssl=true",
                        List.of("h1", "h2"), List.of(5432, 6000), "osuser", "app", null,
                        "jdbc:postgresql://h1:5432,h2:6000/app?targetServerType=primary&ssl=true"),
                arguments("jdbc:postgresql://[::1]:5433/app", List.of("::1"), List.of(5433), "osuser", "app", null,
                        "jdbc:postgresql://[::1]:5433/app"),
                arguments("jdbc:postgresql:app", List.of("localhost"), List.of(5432), "osuser", "app", null,
                        "jdbc:postgresql://localhost:5432/app"),
                arguments("jdbc:postgresql://db1/my%20db?password=x1y2z3&loginTimeout=5",
                        List.of("db1"), List.of(5432), "osuser", "my db", "x1y2z3",
                        "jdbc:postgresql://db1:5432/my+db?loginTimeout=5"));
    }

    @ParameterizedTest
    @MethodSource("urls")
    void passesJdbcUrlsThroughWithoutUserOrPassword(String url, List<String> hosts, List<Integer> ports, String user,
                                                    String db, String password, String jdbcUrl) {
        ConnectionSpec spec = ConnectionSpec.parse(url, ENV);

        assertThat(spec.hosts()).isEqualTo(hosts);
        assertThat(spec.ports()).isEqualTo(ports);
        assertThat(spec.user()).isEqualTo(user);
        assertThat(spec.database()).isEqualTo(db);
        assertThat(spec.password().orElse(null)).isEqualTo(password);
        assertThat(spec.jdbcUrl()).isEqualTo(jdbcUrl).doesNotContain("user=").doesNotContain("password");
        assertThat(spec.properties().getProperty("user")).isEqualTo(user);
        assertThat(spec.properties().getProperty("password")).isEqualTo(password);
    }
}
