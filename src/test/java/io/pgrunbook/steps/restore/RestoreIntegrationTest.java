package io.pgrunbook.steps.restore;

import static io.pgrunbook.steps.restore.RestoreFixture.backup;
import static io.pgrunbook.steps.restore.RestoreFixture.count;
import static io.pgrunbook.steps.restore.RestoreFixture.exec;
import static io.pgrunbook.steps.restore.RestoreFixture.nameOf;
import static io.pgrunbook.steps.restore.RestoreFixture.otherDatabase;
import static io.pgrunbook.steps.restore.RestoreFixture.restore;
import static io.pgrunbook.steps.restore.RestoreFixture.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.steps.backup.BackupManifest;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Whole, table, schema and tenant round trips with exact counts; the safety backup; a corrupted backup refused. */
@ExtendWith(TestPostgres.class)
class RestoreIntegrationTest {
    @TempDir
    static Path tmp;

    static String source;
    static Path full;

    @BeforeAll
    static void seedAndBackUp() throws Exception {
        source = TestPostgres.shared().createDatabase("restore_src");
        RestoreFixture.seed(source, 3000);
        full = backup(source, tmp.resolve("full"), "");
    }

    @Test
    void wholeDatabaseIntoANewOneWithExactCountsAndTheChecklist() throws Exception {
        String name = nameOf(source) + "_new";
        RunReport plan = restore(source, "path: '" + full + "', database: " + name + ", dry_run: true");
        assertThat(step(plan).status()).as(step(plan).message()).isEqualTo(Status.PASS);
        assertThat(step(plan).message()).contains("new database " + name).contains("3 tables to create").contains("6025 rows from the backup");
        assertThat(count(source, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")).as("a dry run creates nothing").isZero();

        StepResult s = step(restore(source, "path: '" + full + "', database: " + name));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        String copy = otherDatabase(source, name);
        assertThat(count(copy, "SELECT count(*) FROM orders")).isEqualTo(3000);
        assertThat(count(copy, "SELECT count(*) FROM items")).isEqualTo(3000);
        assertThat(count(copy, "SELECT count(*) FROM audit.events")).isEqualTo(25);
        assertThat(s.evidence().rows().toString()).contains("RLS policies").contains("row level security forced").contains("indexes");
        assertThat(count(copy, "SELECT count(*) FROM pg_class WHERE relname = 'orders' AND relforcerowsecurity")).isEqualTo(1);
        assertThat(s.message()).doesNotContain("safety backup").as("a new database held nothing to back up");
        assertThat(count(source, "SELECT (shobj_description(oid, 'pg_database') IS NULL)::int FROM pg_database WHERE datname = '" + name + "'"))
                .isEqualTo(1).as("the in-progress mark is cleared");
        // Into it again without clean: refused, exit 2, nothing changed.
        RunReport again = restore(source, "path: '" + full + "', database: " + name);
        assertThat(step(again).status()).isEqualTo(Status.ERROR);
        assertThat(step(again).message()).contains("already holds 3 tables").contains("--clean");
        assertThat(again.exitCode()).isEqualTo(ExitCode.INVALID);
    }

    @Test
    void cleanRestoreTakesASafetyBackupThatPutsThePreRestoreStateBack() throws Exception {
        String target = TestPostgres.shared().createDatabase("restore_clean");
        RestoreFixture.seed(target, 500);
        exec(target, "DELETE FROM items WHERE id > 400; UPDATE orders SET note = 'before restore'; CREATE TABLE extra (x int); INSERT INTO extra VALUES (1)");
        StepResult s = step(restore(target, "path: '" + full + "', clean: true, safety_dir: '" + tmp.resolve("safety1") + "'"));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(count(target, "SELECT count(*) FROM orders")).isEqualTo(3000);
        assertThat(count(target, "SELECT count(*) FROM orders WHERE note = 'before restore'")).isZero();
        assertThat(count(target, "SELECT count(*) FROM extra")).as("a table not in the backup is kept").isEqualTo(1);
        Path safety = safetyPath(s.message());
        BackupManifest m = BackupManifest.read(safety);
        assertThat(m.tables()).filteredOn(t -> t.name().equals("items")).singleElement().satisfies(t -> assertThat(t.rows()).isEqualTo(400));

        StepResult back = step(restore(target, "path: '" + safety + "', clean: true, confirm_source: " + nameOf(target)
                + ", safety_dir: '" + tmp.resolve("safety2") + "'"));
        assertThat(back.status()).as(back.message()).isEqualTo(Status.PASS);
        assertThat(count(target, "SELECT count(*) FROM orders")).isEqualTo(500);
        assertThat(count(target, "SELECT count(*) FROM items")).isEqualTo(400);
        assertThat(count(target, "SELECT count(*) FROM orders WHERE note = 'before restore'")).isEqualTo(500);
    }

    @Test
    void theSourceItselfNeedsCleanAndItsNameTypedAgain() throws Exception {
        RunReport r = restore(source, "path: '" + full + "', clean: true");
        assertThat(step(r).status()).isEqualTo(Status.ERROR);
        assertThat(step(r).message()).contains("is the database this backup was taken from").contains("--confirm-source " + nameOf(source));
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
        RunReport wrongName = restore(source, "path: '" + full + "', clean: true, confirm_source: other");
        assertThat(wrongName.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(count(source, "SELECT count(*) FROM orders")).isEqualTo(3000);
    }

    @Test
    void tablesDataOnlyReplaceTheirRowsAndSequencesInOneTransaction() throws Exception {
        String target = TestPostgres.shared().createDatabase("restore_tables");
        RestoreFixture.seed(target, 3000);
        exec(target, "DELETE FROM items WHERE id > 10; DELETE FROM orders WHERE id > 10; SELECT setval('orders_id_seq', 10); DELETE FROM audit.events WHERE id < 5");
        StepResult s = step(restore(target, "path: '" + full + "', tables: [orders, items], data_only: true, safety_dir: '" + tmp.resolve("safety3") + "'"));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(count(target, "SELECT count(*) FROM orders")).isEqualTo(3000);
        assertThat(count(target, "SELECT count(*) FROM items")).isEqualTo(3000);
        assertThat(count(target, "SELECT last_value FROM orders_id_seq")).as("the sequence comes back with its table").isEqualTo(3000);
        assertThat(count(target, "SELECT count(*) FROM audit.events")).as("a table not named is untouched").isEqualTo(21);
        assertThat(BackupManifest.read(safetyPath(s.message())).tables()).extracting(BackupManifest.TableEntry::name)
                .containsExactlyInAnyOrder("orders", "items");
    }

    @Test
    void aSchemaByPatternAndATableNotInTheBackup() throws Exception {
        String target = TestPostgres.shared().createDatabase("restore_schema");
        RestoreFixture.seed(target, 10);
        exec(target, "TRUNCATE audit.events");
        StepResult s = step(restore(target, "path: '" + full + "', tables: ['audit.%'], no_owner: true, safety_backup: false"));
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
        assertThat(count(target, "SELECT count(*) FROM audit.events")).isEqualTo(25);
        assertThat(count(target, "SELECT count(*) FROM orders")).isEqualTo(10);

        RunReport r = restore(target, "path: '" + full + "', tables: [no_such_table]");
        assertThat(step(r).message()).contains("table no_such_table is not in backup").contains("public.orders");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    }

    @Test
    void aBackupCorruptedAfterVerificationIsRefusedUnlessForced() throws Exception {
        Path copy = tmp.resolve("corrupt").resolve(full.getFileName());
        copyTree(full, copy);
        BackupManifest m = BackupManifest.read(copy);
        Path data = copy.resolve(m.tables().stream().filter(t -> t.name().equals("orders")).findFirst().orElseThrow().file());
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(data, bytes);
        String name = nameOf(source) + "_corrupt";
        RunReport r = restore(source, "path: '" + copy + "', database: " + name);
        assertThat(step(r).status()).isEqualTo(Status.FAIL);
        assertThat(step(r).message()).contains("fails verification, nothing was restored").contains("corrupt");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(count(source, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")).isZero();
    }

    @Test
    void anEditedManifestIsRefusedLikeACorruptFile() throws Exception {
        Path copy = tmp.resolve("edited").resolve(full.getFileName());
        copyTree(full, copy);
        Path mf = copy.resolve("manifest.json");
        Files.writeString(mf, Files.readString(mf).replaceFirst("\"rows\" : (\\d+)", "\"rows\" : 999999"));
        RunReport r = restore(source, "path: '" + copy + "', database: " + nameOf(source) + "_edited");
        assertThat(step(r).status()).isEqualTo(Status.FAIL);
        assertThat(step(r).message()).contains("fails verification, nothing was restored").contains("does not match its SHA-256");
    }

    @Test
    void aBackupFromANewerServerExits3() throws Exception {
        Path copy = tmp.resolve("newer").resolve(full.getFileName());
        copyTree(full, copy);
        Path mf = copy.resolve("manifest.json");
        // as an older pgrunbook wrote it (no digest, no server identity), so that the edit is not taken for tampering
        Files.writeString(mf, Files.readString(mf).replaceFirst("\"server_version\" : \"[^\"]+\"", "\"server_version\" : \"99.1\"")
                .replaceAll(",?\\s*\"(system_identifier|database_oid)\" : [^,}\\n]+", ""));
        Files.delete(copy.resolve("manifest.digest"));
        RunReport r = restore(source, "path: '" + copy + "', database: newer_never");
        assertThat(step(r).message()).contains("the backup is from PostgreSQL 99.1").contains("Restore into a server of version 99");
        assertThat(r.exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
    }

    static Path safetyPath(String message) {
        Matcher m = Pattern.compile("safety backup: (\\S+?)(;|$| )").matcher(message);
        assertThat(m.find()).as("a safety backup path in: " + message).isTrue();
        return Path.of(m.group(1));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
