package io.pgrunbook.db;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every error names what is wrong, and none repeats the password, even when the input had one. */
class ConnectionSpecErrorTest {
    private static final String SECRET = "Tr0ub4dor";

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("postgresql://ops:" + SECRET + "@db1:99999/app", "invalid port '99999'"),
                arguments("postgresql://ops:" + SECRET + "@db1:54x/app", "invalid port '54x'"),
                arguments("host=db1 port=0 password=" + SECRET, "a port is a number from 1 to 65535"),
                arguments("mysql://ops:" + SECRET + "@db1/app", "unknown scheme 'mysql://'"),
                arguments("jdbc:mysql://db1/app?password=" + SECRET, "unsupported JDBC URL 'jdbc:mysql:'"),
                arguments("host=db1 password='" + SECRET, "unterminated quoted value for 'password'"),
                arguments("host='db1 password=" + SECRET, "unterminated quoted value for 'host'"),
                arguments("dbnmae=app password=" + SECRET, "did you mean 'dbname'?"),
                arguments("host=db1 usr=ops password=" + SECRET, "did you mean 'user'?"),
                arguments("database=app password=" + SECRET, "did you mean 'dbname'?"),
                arguments("postgresql://ops:" + SECRET + "@db1/app?sslmod=require", "did you mean 'sslmode'?"),
                arguments("host=db1 hostaddr=10.0.0.1 password=" + SECRET, "'hostaddr' is a libpq setting"),
                arguments("host=db1 frobnicate=1 password=" + SECRET, "unknown connection keyword 'frobnicate'"),
                arguments("host=db1 dbname password=" + SECRET, "missing '=' after 'dbname'"),
                arguments("password=" + SECRET + " extra host=db1", "quote a password that contains spaces"),
                arguments("password=" + SECRET + " word=x", "quote a password that contains spaces"),
                arguments("host=/var/run/postgresql,db1 password=" + SECRET, "give the socket directory alone"),
                arguments("postgresql://ops:" + SECRET + "@%2Fvar%2Frun%2Fpostgresql,db2/app", "Unix-socket directory among several hosts"),
                arguments("host=h1,h2,h3 port=1,2 password=" + SECRET, "2 ports in the connection string for 3 hosts"),
                arguments("postgresql://ops:" + SECRET + "@db1/app?sslmode=sometimes", "invalid sslmode 'sometimes'"),
                arguments("host=db1 connect_timeout=soon password=" + SECRET, "invalid connect_timeout 'soon'"),
                arguments("host=db1 target_session_attrs=leader password=" + SECRET,
                        "invalid target_session_attrs 'leader'"),
                arguments("postgresql://ops:" + SECRET + "%zz@db1/app", "invalid percent-encoding in the password"),
                arguments("postgresql://ops:" + SECRET + "@db1/app?sslmode", "'sslmode' has no value"),
                arguments("postgresql://ops:" + SECRET + "@[::1/app", "missing ']'"),
                arguments("postgresql://ops:" + SECRET + "@::1/app", "IPv6 addresses"),
                arguments("postgresql://ops:pa/" + SECRET + "@db1/app", "percent-encode '/', '@' and ':'"),
                arguments("jdbc:postgresql://ops:" + SECRET + "@db1/app", "do not take user@host"),
                arguments(SECRET, "cannot read the connection string"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void explainsWhatIsWrongWithoutThePassword(String input, String expected) {
        PgRunbookException e = catchThrowableOfType(PgRunbookException.class,
                () -> ConnectionSpec.parse(input, Map.of("USER", "osuser")));

        assertThat(e).as("parse(%s) should fail", input).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(e.getMessage()).contains(expected).doesNotContain(SECRET);
    }

    static Stream<Arguments> badEnvironment() {
        return Stream.of(
                arguments(Map.of("PGHOST", "/tmp,db1", "PGPASSWORD", SECRET), "host list '/tmp,db1' from PGHOST has a Unix-socket"),
                arguments(Map.of("PGPORT", "five", "PGPASSWORD", SECRET), "invalid port 'five' from PGPORT"),
                arguments(Map.of("PGSSLMODE", "on", "PGPASSWORD", SECRET), "invalid sslmode 'on' from PGSSLMODE"),
                arguments(Map.of("PGTARGETSESSIONATTRS", "x", "PGPASSWORD", SECRET), "from PGTARGETSESSIONATTRS"));
    }

    @ParameterizedTest
    @MethodSource("badEnvironment")
    void namesTheEnvironmentVariableAtFault(Map<String, String> env, String expected) {
        PgRunbookException e = catchThrowableOfType(PgRunbookException.class, () -> ConnectionSpec.parse("", env));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains(expected).doesNotContain(SECRET);
    }
}
