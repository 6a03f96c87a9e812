package io.pgrunbook.steps.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PITR drills on a real archive made by a sandbox with archiving on: marker rows 1 (in the base
 * backup), 2 (after it), 3 (after the target time T); a drill to T lands between 2 and 3; a deleted
 * middle segment, a corrupted segment, a tampered base backup, targets out of reach and a stale
 * archive each FAIL, naming what is wrong.
 */
class PitrDrillIntegrationTest {
    @TempDir
    static Path tmp;

    static ArchivingSandbox primary;
    static Path backups;
    static Path backup;
    static String targetTime;
    static String afterBackupSegment;

    @BeforeAll
    static void archiveWithMarkers() throws Exception {
        openForServerUser(tmp);
        primary = new ArchivingSandbox(tmp.resolve("archive"));
        primary.sql("CREATE TABLE marker (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        primary.sql("INSERT INTO marker (n) VALUES (1)");
        backups = tmp.resolve("backups");
        StepResult b = primary.step("backup.physical", "{ dir: '" + backups + "', keep_last: 2 }");
        assertThat(b.status()).as(b.message()).isEqualTo(Status.PASS);
        backup = PitrParams.newestPhysical(backups);
        primary.sql("INSERT INTO marker (n) VALUES (2)");
        afterBackupSegment = primary.switchAndWait();
        Thread.sleep(20);
        targetTime = primary.now();
        Thread.sleep(20);
        primary.sql("INSERT INTO marker (n) VALUES (3)");
        primary.switchAndWait();
    }

    @AfterAll
    static void stop() {
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void aDrillToATimeBetweenTwoMarkersLandsBetweenThem() {
        StepResult s = drill(primary.archive, "target_time: '" + targetTime + "', checks: [\"SELECT array_agg(n ORDER BY n) = '{1,2}' FROM marker\"]");
        assertThat(s.status()).as(s.message() + s.evidence()).isEqualTo(Status.PASS);
        assertThat(s.evidence().rows()).anySatisfy(r -> assertThat(r.get(1).toString()).startsWith("recovery stopping before commit"));
        assertThat(s.metrics()).anySatisfy(m -> assertThat(m.name()).isEqualTo("pgrunbook_pitr_rto_seconds"));
        assertNoDrillLeftovers();
    }

    @Test
    void aDrillToTheEndOfTheArchiveReplaysEverything() {
        StepResult s = drill(primary.archive, "checks: [\"SELECT array_agg(n ORDER BY n) = '{1,2,3}' FROM marker\"]");
        assertThat(s.status()).as(s.message() + s.evidence()).isEqualTo(Status.PASS);
        assertThat(s.message()).contains("recovered");
    }

    @Test
    void aDeletedMiddleSegmentFailsTheDrillAndTheContinuityCheckNamingIt() throws Exception {
        Path archive = copyOfArchive("gap");
        Files.delete(archive.resolve(afterBackupSegment));
        StepResult s = drill(archive, "checks: [\"SELECT true\"]");
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("first missing is " + afterBackupSegment);
        StepResult c = primary.step("pitr.archive", "{ archive: '" + archive + "', backups: '" + backups + "' }");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.message()).contains(afterBackupSegment);
        assertThat(c.metrics()).anySatisfy(m -> {
            assertThat(m.name()).isEqualTo("pgrunbook_wal_archive_missing_segments");
            assertThat(m.value()).isEqualTo(1.0);
        });
    }

    @Test
    void theContinuityCheckPassesOnTheWholeArchive() {
        StepResult c = primary.step("pitr.archive", "{ archive: '" + primary.archive + "', backups: '" + backups + "' }");
        assertThat(c.status()).as(c.message() + c.evidence()).isEqualTo(Status.PASS);
    }

    @Test
    void anArchiveOlderThanMaxRpoFailsTheRpoCheck() throws Exception {
        Path archive = copyOfArchive("stale");
        try (Stream<Path> files = Files.list(archive)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(3600)));
            }
        }
        StepResult c = primary.step("pitr.archive", "{ archive: '" + archive + "', max_rpo: 15min, archiver: false }");
        assertThat(c.status()).isEqualTo(Status.FAIL);
        assertThat(c.message()).contains("archived 3600");
        StepResult s = drill(archive, "drill: false");
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.evidence().rows()).anySatisfy(r -> {
            assertThat(r.get(0).toString()).startsWith("RPO");
            assertThat(r.get(2)).isEqualTo(false);
        });
    }

    @Test
    void aCorruptedSegmentIsNeverPassedByRecoveryStoppingEarly() throws Exception {
        Path archive = copyOfArchive("corrupt");
        try (RandomAccessFile f = new RandomAccessFile(archive.resolve(afterBackupSegment).toFile(), "rw")) {
            f.seek(64);
            f.write(new byte[512]); // the first records after the page header: their CRC no longer matches
        }
        StepResult s = drill(archive, "checks: [\"SELECT true\"]");
        assertThat(s.status()).as(s.message()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("stopped short").contains(afterBackupSegment.substring(0, 8));
        assertNoDrillLeftovers();
    }

    @Test
    void aTargetBeforeTheBackupEndedOrAfterTheNewestWalFailsBeforeAnyRecovery() {
        StepResult before = drill(primary.archive, "target_time: '2001-01-01T00:00:00Z'");
        assertThat(before.status()).isEqualTo(Status.FAIL);
        assertThat(before.message()).contains("before the base backup ended");
        StepResult after = drill(primary.archive, "target_time: '2999-01-01T00:00:00Z'");
        assertThat(after.status()).isEqualTo(Status.FAIL);
        assertThat(after.message()).contains("after the newest archived WAL");
    }

    @Test
    void aBaseBackupThatNoLongerMatchesItsManifestFails() throws Exception {
        Path copy = tmp.resolve("tampered").resolve(backup.getFileName());
        copyTree(backup, copy);
        try (RandomAccessFile f = new RandomAccessFile(copy.resolve("data/base.tar.gz").toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[] {1, 2, 3, 4});
        }
        StepResult s = ArchivingSandbox.step("pitr.verify", "{ backup: '" + copy + "', archive: '" + primary.archive + "' }", primary.sandbox.url());
        assertThat(s.status()).isEqualTo(Status.FAIL);
        assertThat(s.message()).contains("data/base.tar.gz is corrupt");
    }

    @Test
    void theShippedDrDrillRunbookPassesOnASoundArchive() {
        io.pgrunbook.runbook.Runbook runbook = new io.pgrunbook.runbook.load.RunbookLoader(ArchivingSandbox.REGISTRY).load(Path.of("runbooks/dr-drill.yaml"),
                java.util.Map.of("backups", backups.toString(), "archive", primary.archive.toString(), "target_time", targetTime,
                        "checks", "SELECT count(*) >= 2 FROM marker", "max_rpo", "1h"), java.util.Map.of());
        runbook = runbook.withTargetConnection(runbook.defaultTarget(), primary.sandbox.url());
        io.pgrunbook.report.RunReport r = new io.pgrunbook.engine.Engine(ArchivingSandbox.REGISTRY)
                .run(runbook, new io.pgrunbook.engine.RunOptions(false, java.util.Map.of(), java.util.Map.of()), new io.pgrunbook.engine.Cancellation());
        assertThat(r.steps()).hasSize(4).allSatisfy(s -> assertThat(s.status()).as(s.stepId() + ": " + s.message()).isEqualTo(Status.PASS));
    }

    @Test
    void levelOneVerifiesTheExtractedBackupWithPgVerifybackup() {
        StepResult s = drill(primary.archive, "drill: false");
        assertThat(s.status()).as(s.message() + s.evidence()).isEqualTo(Status.PASS);
        assertThat(s.evidence().rows()).anySatisfy(r -> assertThat(r.get(1).toString()).contains("pg_verifybackup accepts it"));
    }

    /** JUnit's temporary directory is private to us; the sandbox's OS user must reach the archive inside it. */
    static void openForServerUser(Path dir) throws java.io.IOException {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    static StepResult drill(Path archive, String extra) {
        return primary.step("pitr.verify", "{ latest: '" + backups + "', archive: '" + archive + "', " + extra + " }");
    }

    static Path copyOfArchive(String name) throws Exception {
        Path copy = tmp.resolve(name);
        copyTree(primary.archive, copy);
        io.pgrunbook.db.ServerUserCommand.takeOwnership(copy);
        return copy;
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void assertNoDrillLeftovers() {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            List<Path> mine = s.filter(p -> p.getFileName().toString().startsWith(PitrDrill.PREFIX))
                    .filter(p -> ownedByMe(p)).toList();
            assertThat(mine).as("drill directories of this JVM left behind").isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean ownedByMe(Path dir) {
        try {
            return Files.readString(dir.resolve("owner.pid")).strip().equals(String.valueOf(ProcessHandle.current().pid()));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
