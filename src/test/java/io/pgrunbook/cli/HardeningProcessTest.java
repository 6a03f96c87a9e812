package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 items 3, 9 and 10 in a real pgrunbook process: pg_dump dies with pgrunbook (SIGKILL or
 * SIGHUP) and the next backup cleans the partial it left; verify-backup --no-drill needs no
 * database; every -v log line, HikariCP's included, goes through the redactor.
 */
@ExtendWith(TestPostgres.class)
class HardeningProcessTest {
    static final String SECRET = "App-Name-Secret-93b1";

    @TempDir
    static Path tmp;
    static String jdbc;
    static String url;

    @BeforeAll
    static void seed() throws Exception {
        jdbc = TestPostgres.shared().createDatabase("harden_proc");
        url = TestPostgres.shared().urlOf(jdbc);
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
            s.execute("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 2000) g");
        }
    }

    @Test
    void pgDumpDiesWithAKilledPgrunbookAndTheNextBackupCleansItsPartial() throws Exception {
        for (String signal : List.of("KILL", "HUP")) {
            Path dir = tmp.resolve("killed-" + signal);
            try (Connection locker = DriverManager.getConnection(jdbc)) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE big IN ACCESS EXCLUSIVE MODE");
                }
                ChildProcess pgrunbook = ChildProcess.start(tmp, Map.of(), "backup", "--dir", dir.toString(), "--db", url, "-q");
                ProcessHandle pgDump = awaitPgDump(pgrunbook.process.toHandle());
                new ProcessBuilder("kill", "-" + signal, String.valueOf(pgrunbook.process.pid())).start().waitFor();
                pgrunbook.process.waitFor(30, TimeUnit.SECONDS);
                assertThat(pgDump.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).get())
                        .as("pg_dump (pid %d) ended within 10 s of SIG%s to pgrunbook", pgDump.pid(), signal).isNotNull();
                locker.rollback();
            }
            if (signal.equals("KILL")) {
                assertThat(partials(dir)).as("SIGKILL leaves the partial behind").hasSize(1);
            }
            CliRun next = CliRun.run("backup", "--dir", dir.toString(), "--db", url);
            assertThat(next.exitCode).as(next.toString()).isZero();
            assertThat(partials(dir)).as("the dead run's partial is cleaned by the next backup").isEmpty();
        }
    }

    @Test
    void verifyBackupWithoutTheDrillNeedsNoDatabase() throws Exception {
        Path dir = tmp.resolve("nodb");
        CliRun backup = CliRun.run("backup", "--dir", dir.toString(), "--db", url);
        assertThat(backup.exitCode).as(backup.toString()).isZero();
        // A target nobody listens on, and PG* variables that point nowhere: level 1 still runs, exit 0.
        CliRun verify = CliRun.withEnv(Map.of("PGHOST", "203.0.113.1", "PGPORT", "1", "PGCONNECT_TIMEOUT", "30"),
                "verify-backup", "--latest", dir.toString(), "--no-drill", "--db", "postgresql://nobody@127.0.0.1:1/none");
        assertThat(verify.exitCode).as(verify.toString()).isZero();
        assertThat(verify.out).contains("level 1 passed");
    }

    @Test
    void hikariDebugLinesGoThroughTheRedactor() throws Exception {
        Path runbook = Files.writeString(tmp.resolve("one.yaml"), "name: one\nsteps:\n  - id: ok\n    sql: SELECT 1\n");
        ChildProcess child = ChildProcess.start(tmp, Map.of("PGPASSWORD", SECRET), "run", runbook.toString(),
                "--db", url + "?application_name=" + SECRET, "-v");
        assertThat(child.waitFor(60)).as(child.err()).isZero();
        assertThat(child.err()).contains("HikariConfig").contains("DEBUG");
        assertThat(child.out() + child.err()).doesNotContain(SECRET);
    }

    // ---- helpers ----

    static ProcessHandle awaitPgDump(ProcessHandle pgrunbook) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                Optional<ProcessHandle> pgDump = pgrunbook.descendants()
                        .filter(p -> p.info().command().map(cmd -> cmd.endsWith("/pg_dump")).orElse(false)).findFirst();
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'big'::regclass")) {
                    rs.next();
                    if (pgDump.isPresent() && rs.getLong(1) > 0) {
                        return pgDump.get();
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("pg_dump never started waiting for the lock on big");
    }

    static List<Path> partials(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
        }
    }
}
