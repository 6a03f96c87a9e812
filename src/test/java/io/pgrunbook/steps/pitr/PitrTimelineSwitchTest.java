package io.pgrunbook.steps.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrunbook.db.SandboxArchive;
import io.pgrunbook.db.StreamingStandby;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A timeline switch: a streaming standby of an archiving primary is promoted and archives timeline 2
 * (with 00000002.history) into the same archive, while the old primary keeps archiving timeline 1.
 * A drill from the primary's base backup follows the history onto timeline 2 and never replays the old
 * primary's later writes; the continuity check follows the same path.
 */
class PitrTimelineSwitchTest {
    @TempDir
    static Path tmp;

    @Test
    void aPromotedStandbysTimelineIsFollowed() throws Exception {
        PitrDrillIntegrationTest.openForServerUser(tmp);
        Path archive = tmp.resolve("archive");
        try (ArchivingSandbox primary = new ArchivingSandbox(archive)) {
            assumeTrue(StreamingStandby.unavailable(primary.sandbox.binaries()).isEmpty(), "pg_basebackup is not installed");
            primary.sql("CREATE TABLE marker (n int PRIMARY KEY)");
            primary.sql("INSERT INTO marker VALUES (1)");
            Path backups = tmp.resolve("backups");
            StepResult b = primary.step("backup.physical", "{ dir: '" + backups + "' }");
            assertThat(b.status()).as(b.message()).isEqualTo(Status.PASS);
            primary.sql("INSERT INTO marker VALUES (2)");
            try (StreamingStandby standby = StreamingStandby.of(primary.sandbox, Map.of("archive_mode", "on",
                    "archive_command", SandboxArchive.command(archive)))) {
                awaitRow(standby.jdbcUrl(), 2);
                query(standby.jdbcUrl(), "SELECT pg_promote()");
                query(standby.jdbcUrl(), "INSERT INTO marker VALUES (3)");
                String segment = query(standby.jdbcUrl(), "SELECT pg_walfile_name(pg_switch_wal())");
                assertThat(segment).startsWith("00000002");
                ArchivingSandbox.awaitArchived(archive, segment);
                ArchivingSandbox.awaitArchived(archive, "00000002.history");
                // The old primary writes on, on timeline 1: a recovery that followed it would see marker 99.
                primary.sql("INSERT INTO marker VALUES (99)");
                primary.switchAndWait();
            }
            StepResult s = primary.step("pitr.verify", "{ latest: '" + backups + "', archive: '" + archive
                    + "', checks: [\"SELECT array_agg(n ORDER BY n) = '{1,2,3}' FROM marker\"] }");
            assertThat(s.status()).as(s.message() + s.evidence()).isEqualTo(Status.PASS);
            assertThat(s.evidence().rows()).anySatisfy(r -> assertThat(r.get(1).toString()).contains("on timelines [1, 2]"));
            assertThat(s.evidence().rows()).anySatisfy(r -> assertThat(r.get(1).toString()).contains("promoted to timeline 3"));
            StepResult c = primary.step("pitr.archive", "{ archive: '" + archive + "', backups: '" + backups + "' }");
            assertThat(c.status()).as(c.message()).isEqualTo(Status.PASS);
            assertThat(c.message()).contains("timelines [1, 2]");

            Files.delete(archive.resolve("00000002.history"));
            StepResult noHistory = primary.step("pitr.archive", "{ archive: '" + archive + "', backups: '" + backups + "', archiver: false }");
            assertThat(noHistory.status()).isEqualTo(Status.FAIL);
            assertThat(noHistory.message()).contains("no history file 00000002.history");
        }
    }

    static String query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return null;
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static void awaitRow(String url, int n) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!"1".equals(query(url, "SELECT count(*) FROM marker WHERE n = " + n))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the standby never replayed marker " + n);
            }
            Thread.sleep(50);
        }
    }
}
