package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;
import org.postgresql.jdbcurlresolver.PgPassParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pgrunbook leaves ~/.pgpass and pg_service.conf to pgjdbc: these prove that what our spec hands
 * pgjdbc is enough for it to find both (no server needed).
 */
class ConnectionSpecPgjdbcFilesTest {
    private static final String PGPASS_PROPERTY = "org.postgresql.pgpassfile";
    private static final String SERVICE_PROPERTY = "org.postgresql.pgservicefile";

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(PGPASS_PROPERTY);
        System.clearProperty(SERVICE_PROPERTY);
    }

    @Test
    void pgjdbcFindsThePgpassEntryForOurHostPortDatabaseAndUser() throws IOException {
        Path pgpass = writePrivate("pgpass", "otherhost:5433:app:ops:wrong\ndb1:5433:app:ops:from-pgpass\n");
        System.setProperty(PGPASS_PROPERTY, pgpass.toString());
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://ops@db1:5433/app", Map.of("USER", "osuser"));

        String found = PgPassParser.getPassword(spec.hosts().get(0), String.valueOf(spec.ports().get(0)),
                spec.database(), spec.user());

        assertThat(spec.hasPassword()).isFalse();
        assertThat(found).isEqualTo("from-pgpass");
        Properties resolved = Driver.parseURL(spec.jdbcUrl(), spec.properties());
        assertThat(resolved).isNotNull();
        assertThat(resolved.getProperty("password")).isEqualTo("from-pgpass");
    }

    @Test
    void pgjdbcResolvesHostPortAndDatabaseFromTheServiceFile() throws IOException {
        Path services = writePrivate("pg_service.conf",
                "[reporting]\nhost=db7\nport=6432\ndbname=reports\nuser=reporter\nsslmode=verify-full\n");
        System.setProperty(SERVICE_PROPERTY, services.toString());
        ConnectionSpec spec = ConnectionSpec.parse("service=reporting", Map.of("USER", "osuser", "PGSSLMODE", "disable"));

        Properties resolved = Driver.parseURL(spec.jdbcUrl(), spec.properties());

        assertThat(spec.jdbcUrl()).contains("service=reporting");
        assertThat(resolved).isNotNull();
        assertThat(resolved.getProperty("PGHOST")).isEqualTo("db7");
        assertThat(resolved.getProperty("PGPORT")).isEqualTo("6432");
        assertThat(resolved.getProperty("PGDBNAME")).isEqualTo("reports");
        assertThat(resolved.getProperty("user")).isEqualTo("reporter");
        assertThat(resolved.getProperty("sslmode")).as("libpq: service beats PGSSLMODE").isEqualTo("verify-full");
        assertThat(spec.display()).isEqualTo("postgresql://reporter@db7:6432/reports?service=reporting");
    }

    @Test
    void theStringBeatsTheServiceAndTheServiceBeatsTheEnvironment() throws IOException {
        Path services = writePrivate("pg_service.conf", "[reporting]\nhost=db7\ndbname=reports\n");
        System.setProperty(SERVICE_PROPERTY, services.toString());
        ConnectionSpec spec = ConnectionSpec.parse("dbname=adhoc",
                Map.of("USER", "osuser", "PGSERVICE", "reporting", "PGHOST", "envhost", "PGPORT", "7000"));

        Properties resolved = Driver.parseURL(spec.jdbcUrl(), spec.properties());

        assertThat(resolved.getProperty("PGHOST")).isEqualTo("db7");
        assertThat(resolved.getProperty("PGPORT")).as("not in the service: from PGPORT").isEqualTo("7000");
        assertThat(resolved.getProperty("PGDBNAME")).isEqualTo("adhoc");
    }

    @Test
    void aMissingServiceIsAClearError() throws IOException {
        Path services = writePrivate("pg_service.conf", "[reporting]\nhost=db7\n");
        System.setProperty(SERVICE_PROPERTY, services.toString());

        assertThatThrownBy(() -> ConnectionSpec.parse("postgresql:///?service=nosuch", Map.of("USER", "u")))
                .isInstanceOf(PgRunbookException.class)
                .hasMessageContaining("service 'nosuch' in the connection string could not be read")
                .hasMessageContaining("[nosuch] section");
    }

    @Test
    void aServicePasswordIsASecret() throws IOException {
        Path services = writePrivate("pg_service.conf", "[reporting]\nhost=db7\npassword=svc-secret\n");
        System.setProperty(SERVICE_PROPERTY, services.toString());

        ConnectionSpec spec = ConnectionSpec.parse("service=reporting", Map.of("USER", "u"));

        assertThat(spec.secrets()).containsExactly("svc-secret");
        assertThat(spec.display()).doesNotContain("svc-secret");
        assertThat(spec.jdbcUrl()).doesNotContain("svc-secret");
    }

    private Path writePrivate(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
