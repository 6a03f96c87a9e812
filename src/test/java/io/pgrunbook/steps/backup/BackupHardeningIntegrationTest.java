package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, items 1, 2 and 9: pg_dump gets every connection setting of the target through its
 * environment; a database name that reads like a connection string stays a name; the manifest
 * records the server and database it came from, and its digest (or HMAC) catches an edit.
 */
@ExtendWith(TestPostgres.class)
class BackupHardeningIntegrationTest {
    @TempDir
    static Path tmp;

    @Test
    void pgDumpGetsEveryConnectionSettingThroughItsEnvironmentAndNoneOnItsCommandLine() throws Exception {
        String db = TestPostgres.shared().createDatabase("harden_env");
        seed(db, "t_env");
        Path record = tmp.resolve("pg_dump-env.txt");
        Path spy = spyPgDump(record);
        String name = TestPostgres.databaseName(db);
        String url = "postgresql://postgres:Secret-7fa1@127.0.0.1:" + TestPostgres.shared().sandbox().port() + "/" + name
                + "?sslmode=disable&connect_timeout=7&target_session_attrs=read-write&application_name=harden_app"
                + "&options=-c%20lock_timeout%3D4321";
        RunReport r = run(backupYaml(tmp.resolve("env"), "pg_dump: '" + spy + "'"), url);
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        String seen = Files.readString(record, StandardCharsets.UTF_8);
        assertThat(seen).contains("PGSSLMODE=disable", "PGCONNECT_TIMEOUT=7", "PGTARGETSESSIONATTRS=read-write",
                "PGOPTIONS=-c lock_timeout=4321", "PGAPPNAME=harden_app", "PGDATABASE=" + name, "PGPASSWORD=Secret-7fa1");
        String args = seen.substring(seen.indexOf("ARGS:"));
        assertThat(args).doesNotContain("Secret-7fa1").contains("--dbname=dbname='" + name + "'");
    }

    @Test
    void aDatabaseNameThatReadsLikeAConnectionStringIsDumpedAsItsOwnName() throws Exception {
        String other = TestPostgres.shared().createDatabase("harden_other");
        seed(other, "t_other");
        String otherName = TestPostgres.databaseName(other);
        String trickName = "dbname=" + otherName;
        try (Connection c = TestPostgres.shared().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + trickName + "\"");
        }
        String trickUrl = TestPostgres.shared().sandbox().jdbcUrl(trickName);
        seed(trickUrl, "t_mine");
        Path dir = tmp.resolve("trick");
        RunReport r = run(backupYaml(dir, ""), trickUrl);
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        BackupManifest m = BackupManifest.read(BackupLayout.latest(dir).orElseThrow().directory());
        assertThat(m.tables()).extracting(BackupManifest.TableEntry::name).containsExactly("t_mine");
        assertThat(m.database()).isEqualTo(trickName);
        try (Connection c = DriverManager.getConnection(trickUrl); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT system_identifier FROM pg_control_system())::text, "
                        + "(SELECT oid FROM pg_database WHERE datname = current_database())::bigint")) {
            rs.next();
            assertThat(m.systemIdentifier()).isEqualTo(rs.getString(1));
            assertThat(m.databaseOid()).isEqualTo(rs.getLong(2));
        }
    }

    @Test
    void anEditedManifestFailsLevelOneAndAKeyMakesItTamperEvident() throws Exception {
        String db = TestPostgres.shared().createDatabase("harden_digest");
        seed(db, "t_digest");
        Path dir = tmp.resolve("digest");
        RunReport r = run(backupYaml(dir, ""), db);
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        Path backup = BackupLayout.latest(dir).orElseThrow().directory();
        assertThat(step(run(verifyYaml(backup, ""), db)).status()).isEqualTo(Status.PASS);
        Path manifest = backup.resolve(BackupManifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest).replace("\"rows\" : 3", "\"rows\" : 4"));
        StepResult edited = step(run(verifyYaml(backup, ""), db));
        assertThat(edited.status()).isEqualTo(Status.FAIL);
        assertThat(edited.message()).contains("manifest.json does not match its SHA-256");

        // With a key: an edit that also rewrites the plain digest is still caught, and so is a missing key.
        Path key = Files.writeString(tmp.resolve("manifest.key"), "0123456789abcdef0123456789abcdef\n");
        Path signedDir = tmp.resolve("signed");
        assertThat(step(run(backupYaml(signedDir, "manifest_key_file: '" + key + "'"), db)).status()).isEqualTo(Status.PASS);
        Path signed = BackupLayout.latest(signedDir).orElseThrow().directory();
        assertThat(Files.readString(signed.resolve(ManifestDigest.FILE_NAME))).startsWith("hmac-sha256 ");
        assertThat(step(run(verifyYaml(signed, ", manifest_key_file: '" + key + "'"), db)).status()).isEqualTo(Status.PASS);
        assertThat(step(run(verifyYaml(signed, ""), db)).message()).contains("signed with a key");
        Path forged = signed.resolve(BackupManifest.FILE_NAME);
        Files.writeString(forged, Files.readString(forged).replace("\"rows\" : 3", "\"rows\" : 4"));
        Files.delete(signed.resolve(ManifestDigest.FILE_NAME));
        ManifestDigest.write(signed, Files.readAllBytes(forged), null);
        StepResult forgery = step(run(verifyYaml(signed, ", manifest_key_file: '" + key + "'"), db));
        assertThat(forgery.status()).isEqualTo(Status.FAIL);
        assertThat(forgery.message()).contains("not signed");
    }

    @Test
    void aBackupFromBeforeDigestsWarnsButARemovedDigestFails() throws Exception {
        String db = TestPostgres.shared().createDatabase("harden_legacy");
        seed(db, "t_legacy");
        Path dir = tmp.resolve("legacy");
        assertThat(step(run(backupYaml(dir, ""), db)).status()).isEqualTo(Status.PASS);
        Path backup = BackupLayout.latest(dir).orElseThrow().directory();
        Files.delete(backup.resolve(ManifestDigest.FILE_NAME));
        StepResult removed = step(run(verifyYaml(backup, ""), db));
        assertThat(removed.status()).as("a digest removed from a manifest that had one").isEqualTo(Status.FAIL);
        // as an older pgrunbook wrote it: no digest, no server identity in the manifest
        Path manifest = backup.resolve(BackupManifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest).replaceAll(",?\\s*\"(system_identifier|database_oid)\" : [^,}\\n]+", ""));
        assertThat(Files.readString(manifest)).doesNotContain("database_oid");
        StepResult legacy = step(run(verifyYaml(backup, ""), db));
        assertThat(legacy.status()).as(legacy.message()).isEqualTo(Status.WARN);
        assertThat(legacy.message()).contains("written before pgrunbook kept manifest digests", "take a new backup");
        Path key = Files.writeString(tmp.resolve("legacy.key"), "0123456789abcdef0123456789abcdef\n");
        assertThat(step(run(verifyYaml(backup, ", manifest_key_file: '" + key + "'"), db)).status()).isEqualTo(Status.FAIL);
    }

    // ---- helpers ----

    /** A pg_dump that writes its environment and arguments to a file, then runs the real one. */
    static Path spyPgDump(Path record) throws Exception {
        Path real = TestPostgres.shared().sandbox().binaries().tool("pg_dump");
        Path spy = Files.createTempDirectory(tmp, "spybin").resolve("pg_dump");
        Files.writeString(spy, "#!/bin/sh\nif [ \"$1\" != \"--version\" ]; then env | grep '^PG' > '" + record + "'; echo \"ARGS: $*\" >> '"
                + record + "'; fi\nexec '" + real + "' \"$@\"\n");
        Files.setPosixFilePermissions(spy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return spy;
    }

    static void seed(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
            s.execute("INSERT INTO " + table + " SELECT generate_series(1, 3)");
        }
    }

    static String backupYaml(Path dir, String extra) {
        return "name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 5min\n    with: { dir: '" + dir + "'"
                + (extra.isEmpty() ? "" : ", " + extra) + " }\n";
    }

    static String verifyYaml(Path backup, String extra) {
        return "name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 5min\n    with: { path: '" + backup + "', drill: false"
                + extra + " }\n";
    }

    static RunReport run(String yaml, String connection) {
        Runbook runbook = new RunbookLoader(BackupIntegrationTest.REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), connection);
        return new Engine(BackupIntegrationTest.REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult step(RunReport r) {
        return r.steps().get(0);
    }
}
