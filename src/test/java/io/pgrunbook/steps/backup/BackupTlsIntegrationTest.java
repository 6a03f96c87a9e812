package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, TLS: a server with a certificate from a CA made at run time and {@code hostssl} entries
 * only in pg_hba.conf. With {@code sslmode=verify-full} a backup and its restore drill succeed (pg_dump
 * and pg_restore verify the server as pgrunbook does); with another CA nothing is dumped.
 */
class BackupTlsIntegrationTest {
    static Path certs;
    static Sandbox server;
    static String goodUrl;
    static String wrongCaUrl;

    @BeforeAll
    static void startTlsServer() throws Exception {
        certs = Files.createTempDirectory("pgrunbook-tls-");
        Files.setPosixFilePermissions(certs, PosixFilePermissions.fromString("rwxr-xr-x"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=pgrunbook test CA");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=another CA");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(certs.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
                "-days", "2", "-extfile", "san.ext");
        Files.writeString(certs.resolve("pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n");
        Files.setPosixFilePermissions(certs.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        if ("root".equals(System.getProperty("user.name"))) {
            UserPrincipal postgres = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            try (Stream<Path> files = Files.list(certs)) {
                for (Path f : files.toList()) {
                    Files.setOwner(f, postgres);
                }
            }
        }
        server = Sandbox.start(SandboxOptions.defaults().withSetting("ssl", "on")
                .withSetting("ssl_cert_file", certs.resolve("server.crt").toString())
                .withSetting("ssl_key_file", certs.resolve("server.key").toString())
                .withSetting("hba_file", certs.resolve("pg_hba.conf").toString()));
        String base = "postgresql://postgres@127.0.0.1:" + server.port() + "/tlsapp?sslmode=verify-full&sslrootcert=";
        goodUrl = base + certs.resolve("ca.crt");
        wrongCaUrl = base + certs.resolve("other-ca.crt");
        Properties tls = new Properties();
        tls.setProperty("user", "postgres");
        tls.setProperty("sslmode", "verify-full");
        tls.setProperty("sslrootcert", certs.resolve("ca.crt").toString());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", tls);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE tlsapp");
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/tlsapp", tls);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE secrets_of_state (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO secrets_of_state SELECT g, md5(g::text) FROM generate_series(1, 500) g");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (certs != null) {
            BackupLayout.deleteTree(certs);
        }
    }

    @Test
    void verifyFullBackupAndRestoreDrillSucceedOverHostsslOnly() throws Exception {
        Path dir = Files.createTempDirectory("pgrunbook-tls-backup-");
        try {
            RunReport backup = run("name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 5min\n    with: { dir: '" + dir + "' }\n", goodUrl);
            StepResult b = backup.steps().get(0);
            assertThat(b.status()).as(b.message()).isEqualTo(Status.PASS);
            Path latest = BackupLayout.latest(dir).orElseThrow().directory();
            assertThat(BackupManifest.read(latest).tables()).singleElement().satisfies(t -> assertThat(t.rows()).isEqualTo(500));
            RunReport verify = run("name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 5min\n    with: { path: '" + latest
                    + "', checks: [\"SELECT count(*) = 500 FROM secrets_of_state\"] }\n", goodUrl);
            StepResult v = verify.steps().get(0);
            assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
        } finally {
            BackupLayout.deleteTree(dir);
        }
    }

    @Test
    void aWrongCaFailsBeforeAnythingIsDumped() throws Exception {
        Path dir = Files.createTempDirectory("pgrunbook-tls-wrongca-");
        try {
            RunReport r = run("name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 5min\n    with: { dir: '" + dir + "' }\n", wrongCaUrl);
            assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
            assertThat(r.steps().get(0).status()).isEqualTo(Status.SKIP);
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.toList()).as("nothing written").isEmpty();
            }
        } finally {
            BackupLayout.deleteTree(dir);
        }
    }

    static RunReport run(String yaml, String url) {
        Runbook runbook = new RunbookLoader(BackupIntegrationTest.REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), url);
        return new Engine(BackupIntegrationTest.REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(certs.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
