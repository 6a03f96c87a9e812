package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real pg_dump and pg_restore against the test server: a round trip, and every fault the issue names. */
@ExtendWith(TestPostgres.class)
class BackupIntegrationTest {
    static final StepRegistry REGISTRY = StepRegistry.load();
    static final String TENANT_A = "00000000-0000-0000-0000-0000000000aa";
    static final String TENANT_B = "00000000-0000-0000-0000-0000000000bb";

    @TempDir
    static Path tmp;

    static String db;
    static Path good;

    @BeforeAll
    static void seedAndBackUp() throws Exception {
        db = TestPostgres.shared().createDatabase("backup_it");
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("runbooks/sample/storage-schema.sql")));
            s.execute("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
            s.execute("INSERT INTO big SELECT g, repeat(md5(g::text), 4) || E'\\nline two\\t' FROM generate_series(1, 50000) g");
            s.execute("ALTER TABLE ext_storage_usage ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY tenant_isolation ON ext_storage_usage USING (tenant_id::text = current_setting('app.tenant', true))");
            s.execute("INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value) SELECT '" + TENANT_A
                    + "', gen_random_uuid(), 'ns', 'a' || g, '{}' FROM generate_series(1, 7) g");
            s.execute("INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value) SELECT '" + TENANT_B
                    + "', gen_random_uuid(), 'ns', 'b' || g, '{}' FROM generate_series(1, 5) g");
        }
        RunReport r = run(backupYaml(tmp.resolve("main"), "keep_last: 5"));
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        good = BackupLayout.latest(tmp.resolve("main")).orElseThrow().directory();
    }

    @Test
    void roundTripVerifiesAndCountsAreOfTheDump() throws Exception {
        BackupManifest m = BackupManifest.read(good);
        assertThat(m.tables()).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo("big");
            assertThat(t.rows()).isEqualTo(50000);
        });
        assertThat(m.tables()).filteredOn(t -> t.name().equals("ext_storage_records"))
                .singleElement().satisfies(t -> assertThat(t.rows()).isEqualTo(count("SELECT count(*) FROM ext_storage_records")));
        assertThat(m.objects()).contains("policy public.ext_storage_usage.tenant_isolation", "row level security public.ext_storage_usage",
                "index public.big.big_pkey");
        assertThat(m.walLsn()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(Files.readString(good.resolve("manifest.json"))).doesNotContain("password");
        RunReport r = run(verifyYaml("path: " + good + ", checks: [\"SELECT count(*) = 50000 FROM big\"]"));
        assertThat(step(r).status()).as(step(r).message()).isEqualTo(Status.PASS);
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname LIKE 'pgrunbook_drill_%'")).isZero();
    }

    @Test
    void aCorruptByteFailsNamingTheFile() throws Exception {
        Path copy = copyOf(good, "corrupt");
        Path data = dataFileOf(copy, "big");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(data, bytes);
        StepResult s = step(run(verifyYaml("path: " + copy + ", drill: false")));
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("corrupt").contains(copy.relativize(data) + " (the rows of public.big) is corrupt");
    }

    @Test
    void aMissingOrExtraFileFails() throws Exception {
        Path copy = copyOf(good, "missing");
        Path data = dataFileOf(copy, "ext_storage_usage");
        Files.delete(data);
        Files.writeString(copy.resolve("dump/stray.txt"), "x");
        StepResult s = step(run(verifyYaml("path: " + copy)));
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.evidence().rows().toString()).contains("missing file " + copy.relativize(data)).contains("extra file dump/stray.txt");
    }

    @Test
    void fewerRowsThanTheManifestFailTheDrillNamingTheTable() throws Exception {
        Path copy = copyOf(good, "truncated");
        Path data = dataFileOf(copy, "big");
        List<String> lines;
        try (var in = new GZIPInputStream(Files.newInputStream(data))) {
            lines = new ArrayList<>(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
        lines.remove(0); // one row fewer, a well-formed file: only the drill can tell
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(data))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        rewriteManifestEntry(copy, data);
        StepResult s = step(run(verifyYaml("path: " + copy)));
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("table public.big has 49999 rows restored, the manifest says 50000");
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname LIKE 'pgrunbook_drill_%'")).isZero();
    }

    @Test
    void noManifestOrAnotherBackupsManifestFails() throws Exception {
        Path copy = copyOf(good, "nomanifest");
        Files.delete(copy.resolve("manifest.json"));
        assertThat(step(run(verifyYaml("path: " + copy + ", drill: false"))).message()).contains("no manifest.json");
        Path renamed = Files.move(copyOf(good, "other"), tmp.resolve("other").resolve("app-20200101T000000000Z"));
        StepResult s = step(run(verifyYaml("path: " + renamed + ", drill: false")));
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("belongs to backup " + good.getFileName());
    }

    @Test
    void aFailedPgDumpLeavesNothingThatLooksComplete() throws Exception {
        Path fake = fakePgDump("15.99", "mkdir -p \"$(echo \"$@\" | sed -n 's/.*--file=\\([^ ]*\\).*/\\1/p')\"; "
                + "echo 'half' > \"$(echo \"$@\" | sed -n 's/.*--file=\\([^ ]*\\).*/\\1/p')/toc.dat\"; echo 'pg_dump: error: No space left on device' >&2; exit 1");
        Path dir = tmp.resolve("failed");
        RunReport r = run(backupYaml(dir, "pg_dump: " + fake));
        assertThat(step(r).status()).isEqualTo(Status.FAIL);
        assertThat(step(r).message()).contains("No space left on device");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly(BackupLayout.LOCK_FILE);
        }
        assertThat(step(run(verifyYaml("latest: " + dir))).message()).contains("no complete backup");
    }

    @Test
    void anOldPgDumpExits3NamingBothVersions() throws Exception {
        Path fake = fakePgDump("9.6", "exit 0");
        RunReport r = run(backupYaml(tmp.resolve("old"), "pg_dump: " + fake));
        assertThat(step(r).status()).isEqualTo(Status.ERROR);
        assertThat(step(r).message()).contains("pg_dump 9.6").contains("PostgreSQL 1").contains("postgresql-client-");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
    }

    @Test
    void anUnwritableDestinationExits3() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        RunReport r = run(backupYaml(file.resolve("sub"), "schema_only: true"));
        assertThat(step(r).message()).contains("not writable");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
    }

    @Test
    void retentionKeepsTheNewestAndNeverTouchesPartials() throws Exception {
        Path dir = tmp.resolve("retention");
        Files.createDirectories(dir);
        String prefix = "ret";
        Instant now = Instant.now();
        List<Path> old = new ArrayList<>();
        for (int days : new int[] {1, 2, 3, 40}) {
            Path b = Files.createDirectory(dir.resolve(BackupLayout.name(prefix, now.minus(days, ChronoUnit.DAYS))));
            Files.writeString(b.resolve("manifest.json"), "{}");
            old.add(b);
        }
        Path partial = Files.createDirectory(BackupLayout.partial(dir, BackupLayout.name(prefix, now.minus(50, ChronoUnit.DAYS))));
        Path otherDb = Files.createDirectory(dir.resolve(BackupLayout.name("otherdb", now.minus(60, ChronoUnit.DAYS))));
        Files.writeString(otherDb.resolve("manifest.json"), "{}");
        StepResult s = step(run(backupYaml(dir, "schema_only: true, name: " + prefix + ", keep_last: 2")));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(s.message()).contains("retention removed");
        assertThat(old.get(0)).exists();
        assertThat(old.subList(1, 4)).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(partial).exists();
        assertThat(otherDb).exists();
        assertThat(BackupLayout.complete(dir, prefix)).hasSize(2);
    }

    @Test
    void aTenantBackupHoldsThatTenantsRowsOnlyAndVerifies() throws Exception {
        Path dir = tmp.resolve("tenant");
        StepResult s = step(run(backupYaml(dir, "tables: ['ext_storage_%'], tenant: '" + TENANT_A + "'")));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        Path backup = BackupLayout.latest(dir).orElseThrow().directory();
        BackupManifest m = BackupManifest.read(backup);
        assertThat(m.tenant().value()).isEqualTo(TENANT_A);
        assertThat(m.tables()).extracting(BackupManifest.TableEntry::name)
                .containsExactly("ext_storage_records", "ext_storage_schemas", "ext_storage_usage");
        assertThat(m.tables().get(0).rows()).isEqualTo(7);
        StepResult v = step(run(verifyYaml("path: " + backup + ", checks: [\"SELECT count(*) = 7 AND bool_and(tenant_id = '"
                + TENANT_A + "') FROM ext_storage_records\", \"SELECT count(*) = 0 FROM big\"]")));
        assertThat(v.status()).as(v.message()).isEqualTo(Status.PASS);
    }

    @Test
    void aTenantValueIsNeverSQL() throws Exception {
        StepResult s = step(run(backupYaml(tmp.resolve("inject"), "tables: [ext_storage_usage], tenant: \"x') OR true OR ('\"")));
        // The value is one quoted literal compared with a uuid column: an invalid uuid, not extra SQL.
        assertThat(s.status()).isEqualTo(Status.ERROR);
        assertThat(s.message()).contains("invalid input syntax for type uuid");
    }

    // ---- helpers ----

    static String backupYaml(Path dir, String extra) {
        return "name: b\nsteps:\n  - id: b\n    type: backup\n    timeout: 10min\n    with: { dir: '" + dir + "', " + extra + " }\n";
    }

    static String verifyYaml(String with) {
        return "name: v\nsteps:\n  - id: v\n    type: verify-backup\n    timeout: 10min\n    with: { " + with + " }\n";
    }

    static RunReport run(String yaml) {
        Runbook runbook = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), db);
        return new Engine(REGISTRY).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult step(RunReport r) {
        return r.steps().get(0);
    }

    static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Path copyOf(Path backup, String where) throws IOException {
        Path target = tmp.resolve(where).resolve(backup.getFileName());
        try (Stream<Path> walk = Files.walk(backup)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path to = target.resolve(backup.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    static Path dataFileOf(Path backup, String table) throws Exception {
        BackupManifest m = BackupManifest.read(backup);
        return backup.resolve(m.tables().stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow().file());
    }

    /** The manifest made to agree with a changed file, as if pg_dump itself had written fewer rows. */
    static void rewriteManifestEntry(Path backup, Path file) throws Exception {
        Path mf = backup.resolve("manifest.json");
        BackupManifest m = BackupManifest.read(backup);
        String rel = backup.relativize(file).toString();
        BackupManifest.FileEntry old = m.files().stream().filter(f -> f.path().equals(rel)).findFirst().orElseThrow();
        String text = Files.readString(mf).replace(old.sha256(), ArchiveScanner.sha256(file))
                .replace("\"size\" : " + old.size() + ",", "\"size\" : " + Files.size(file) + ",");
        Files.writeString(mf, text);
    }

    static Path fakePgDump(String version, String body) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "fakebin");
        Path script = dir.resolve("pg_dump");
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'pg_dump (PostgreSQL) " + version + "'; exit 0; fi\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
