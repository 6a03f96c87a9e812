package io.pgrunbook.steps.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.db.ServerUserCommand;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pgBackRest stanza on a sandbox (configuration, repository, logs and locks in a temporary
 * directory; pgBackRest runs as the server's OS user): archive-push as the archive_command, a full
 * backup, marker rows around a target time; the drill restores with pgbackrest restore --type=time
 * into a throwaway instance and lands between the markers, and the archive check reads the repository.
 */
class PgBackRestDrillTest {
    @TempDir
    static Path tmp;

    @Test
    void aPgBackRestStanzaIsDrilledTheSameWay() throws Exception {
        boolean installed = List.of("/usr/bin/pgbackrest", "/usr/local/bin/pgbackrest").stream().anyMatch(p -> Files.isExecutable(Path.of(p)));
        if (!installed) {
            System.err.println("SKIPPED aPgBackRestStanzaIsDrilledTheSameWay: pgbackrest is not installed (scripts/ensure-deps.sh installs it)");
        }
        assumeTrue(installed, "pgbackrest is not installed (scripts/ensure-deps.sh installs it)");
        PitrDrillIntegrationTest.openForServerUser(tmp);
        Path home = Files.createDirectories(tmp.resolve("pgbackrest"));
        Path conf = home.resolve("pgbackrest.conf");
        String push = "pgbackrest --config=" + conf + " --stanza=demo archive-push %p";
        try (Sandbox pg = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements().withSetting("wal_level", "replica")
                .withSetting("archive_mode", "on").withSetting("archive_command", push).withSetting("archive_timeout", "60s"))) {
            Files.writeString(conf, String.join("\n", "[global]", "repo1-path=" + home.resolve("repo"), "log-path=" + home.resolve("log"),
                    "lock-path=" + home.resolve("lock"), "spool-path=" + home.resolve("spool"), "log-level-file=off", "start-fast=y",
                    "repo1-retention-full=2", "[demo]", "pg1-path=" + pg.dataDirectory(), "pg1-port=" + pg.port(),
                    "pg1-socket-path=" + pg.directory(), ""));
            ServerUserCommand.takeOwnership(home);
            pgbackrest(conf, "stanza-create");
            ArchivingSandbox db = new ArchivingSandboxView(pg);
            db.sql("CREATE TABLE marker (n int PRIMARY KEY)");
            db.sql("INSERT INTO marker VALUES (1)");
            pgbackrest(conf, "backup", "--type=full");
            db.sql("INSERT INTO marker VALUES (2)");
            Thread.sleep(20);
            String target = db.now();
            Thread.sleep(20);
            db.sql("INSERT INTO marker VALUES (3)");
            String last = db.sql("SELECT pg_walfile_name(pg_switch_wal())");
            awaitArchived(db, last);
            String stanza = "pgbackrest_stanza: demo, pgbackrest_config: '" + conf + "'";
            StepResult s = ArchivingSandbox.step("pitr.verify", "{ " + stanza + ", target_time: '" + target
                    + "', checks: [\"SELECT array_agg(n ORDER BY n) = '{1,2}' FROM marker\"] }", pg.url());
            assertThat(s.status()).as(s.message() + s.evidence()).isEqualTo(Status.PASS);
            assertThat(s.message()).contains("pgBackRest stanza demo");
            StepResult c = ArchivingSandbox.step("pitr.archive", "{ " + stanza + " }", pg.url());
            assertThat(c.status()).as(c.message() + c.evidence()).isEqualTo(Status.PASS);
            assertThat(c.message()).contains(last);
        }
    }

    static void pgbackrest(Path conf, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("pgbackrest", "--config=" + conf, "--stanza=demo"));
        command.addAll(List.of(args));
        ServerUserCommand.Outcome r = ServerUserCommand.run(command, conf.getParent(), Duration.ofMinutes(5));
        assertThat(r.succeeded()).as(r.description()).isTrue();
    }

    static void awaitArchived(ArchivingSandbox db, String segment) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!segment.equals(db.sql("SELECT last_archived_wal FROM pg_stat_archiver"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(segment + " was not archived by pgBackRest within 60 s: " + db.sql("SELECT row(a.*)::text FROM pg_stat_archiver a"));
            }
            Thread.sleep(100);
        }
    }

    /** The SQL helpers of {@link ArchivingSandbox} over a sandbox whose archiving is pgBackRest's. */
    static final class ArchivingSandboxView extends ArchivingSandbox {
        ArchivingSandboxView(Sandbox sandbox) {
            super(sandbox);
        }
    }
}
