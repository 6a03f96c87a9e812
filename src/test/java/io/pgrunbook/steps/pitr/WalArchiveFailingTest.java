package io.pgrunbook.steps.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * archive_command failing for real (the archive directory made unwritable): segments wait as .ready
 * files, check.wal_archive_backlog counts them and fails at its threshold, and pitr.archive reports
 * pg_stat_archiver's failure; once the directory is writable again the backlog drains and both pass.
 */
class WalArchiveFailingTest {
    @TempDir
    static Path tmp;

    @Test
    void aFailingArchiveCommandIsCaughtByTheBacklogAndArchiverChecks() throws Exception {
        PitrDrillIntegrationTest.openForServerUser(tmp);
        Path archive = tmp.resolve("archive");
        try (ArchivingSandbox db = new ArchivingSandbox(archive)) {
            db.sql("CREATE TABLE t (n int)");
            db.switchAndWait();
            StepResult ok = db.step("check.wal_archive_backlog", "{ warning: 1, critical: 2 }");
            assertThat(ok.status()).as(ok.message()).isEqualTo(Status.PASS);

            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("r-x------"));
            for (int i = 0; i < 3; i++) {
                db.sql("INSERT INTO t VALUES (" + i + ")");
                db.sql("SELECT pg_switch_wal()");
            }
            awaitFailure(db);
            StepResult backlog = db.step("check.wal_archive_backlog", "{ warning: 1, critical: 2 }");
            assertThat(backlog.status()).as(backlog.message()).isEqualTo(Status.FAIL);
            StepResult archiver = db.step("pitr.archive", "{ archive: '" + archive + "', max_rpo: 1h }");
            assertThat(archiver.status()).isEqualTo(Status.FAIL);
            assertThat(archiver.message()).contains("failed");

            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwx------"));
            db.sql("INSERT INTO t VALUES (99)");
            String last = db.switchAndWait();
            assertThat(last).isNotNull();
            StepResult drained = db.step("check.wal_archive_backlog", "{ warning: 1, critical: 2 }");
            assertThat(drained.status()).as(drained.message()).isEqualTo(Status.PASS);
        }
    }

    static void awaitFailure(ArchivingSandbox db) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (db.sql("SELECT last_failed_wal FROM pg_stat_archiver") == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("archive_command never failed");
            }
            Thread.sleep(100);
        }
    }
}
