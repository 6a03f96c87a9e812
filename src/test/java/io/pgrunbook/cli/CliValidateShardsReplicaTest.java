package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.PgBinaries;
import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.db.StreamingStandby;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * shardset.replication against a real streaming standby of a sandbox: caught up it is healthy; with replay
 * paused on the standby while the primary commits, its real lag crosses the warning, then the critical threshold.
 */
class CliValidateShardsReplicaTest {
    private static final Pattern LAG = Pattern.compile("s0_replica (warning|critical) \\(lag (\\d+\\.\\d)s\\)");

    private static String runbook(String warn, String critical) {
        return """
                name: shard-replicas
                targets: { s0: "", s0_replica: "" }
                steps:
                  - id: lag
                    type: shardset.replication
                    targets: [s0]
                    when:
                      sql: SELECT EXISTS (SELECT 1 FROM pg_stat_replication)
                    with:
                      replicas: { s0: [s0_replica] }
                      warn_lag: %s
                      critical_lag: %s
                """.formatted(warn, critical);
    }

    private static CliRun validate(Path dir, String yaml, Sandbox primary, StreamingStandby standby) throws Exception {
        Path file = Files.writeString(dir.resolve("replicas-" + System.nanoTime() + ".yaml"), yaml);
        return CliRun.run("validate-shards", "--no-color", "--runbook", file.toString(),
                "--target", "s0=" + primary.url(), "--target", "s0_replica=" + standby.url());
    }

    private static void exec(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String text(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Waits until the standby has received (and, when replaying, replayed) everything the primary has
     * written. The target is the insert position, not the write position: the sandbox commits
     * asynchronously, so its last commit record can still be in WAL buffers beyond the write position.
     */
    private static void awaitStandby(Sandbox primary, StreamingStandby standby, String lsnFunction) throws Exception {
        String target = text(primary.jdbcUrl(), "SELECT pg_current_wal_insert_lsn()::text");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"true".equals(text(standby.jdbcUrl(), "SELECT coalesce(" + lsnFunction + "() >= '" + target + "'::pg_lsn, false)::text"))) {
            assertThat(System.nanoTime()).as("the standby reaches " + target + " by " + lsnFunction + " within 30 s; its log:\n" + standby.log()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aRealStandbyIsJudgedByItsRealLag(@TempDir Path dir) throws Exception {
        Optional<String> missing = StreamingStandby.unavailable(PgBinaries.locate());
        if (missing.isPresent()) {
            System.err.println("pgrunbook tests: SKIPPED replication-lag test against a real standby: " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "SKIPPED: " + missing.get());
        try (Sandbox primary = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements());
                StreamingStandby standby = StreamingStandby.of(primary)) {
            exec(primary.jdbcUrl(), "CREATE TABLE orders (restaurant_id bigint, n int)");
            exec(primary.jdbcUrl(), "INSERT INTO orders VALUES (1, 1)");
            awaitStandby(primary, standby, "pg_last_wal_replay_lsn");

            CliRun caughtUp = validate(dir, runbook("1s", "1h"), primary, standby);
            assertThat(caughtUp.exitCode).as(caughtUp.toString()).isZero();
            assertThat(caughtUp.out).contains("1 replica(s) of s0 within 1s").doesNotContain("SKIP");

            // Replay stops; the primary keeps committing; the standby receives but does not apply.
            exec(standby.jdbcUrl(), "SELECT pg_wal_replay_pause()");
            long paused = System.nanoTime();
            try {
                Thread.sleep(1_500);
                exec(primary.jdbcUrl(), "INSERT INTO orders VALUES (1, 2)");
                awaitStandby(primary, standby, "pg_last_wal_receive_lsn");
                double floor = (System.nanoTime() - paused) / 1e9;

                CliRun warning = validate(dir, runbook("1s", "1h"), primary, standby);
                assertThat(warning.exitCode).as("a lag warning is exit 0\n" + warning).isZero();
                Matcher m = LAG.matcher(warning.out);
                assertThat(m.find()).as(warning.toString()).isTrue();
                assertThat(m.group(1)).isEqualTo("warning");
                double lag = Double.parseDouble(m.group(2));
                // The lag is the age of the last transaction replayed: at least the time since the pause, and not minutes.
                assertThat(lag).as(warning.out).isGreaterThanOrEqualTo(Math.floor(floor * 10) / 10 - 0.1).isLessThan(60);
                assertThat(warning.out).contains("WARN");

                CliRun critical = validate(dir, runbook("200ms", "1s"), primary, standby);
                assertThat(critical.exitCode).as(critical.toString()).isEqualTo(1);
                m = LAG.matcher(critical.out);
                assertThat(m.find()).as(critical.toString()).isTrue();
                assertThat(m.group(1)).isEqualTo("critical");
                assertThat(critical.out).contains("FAIL");

                CliRun loose = validate(dir, runbook("1m", "1h"), primary, standby);
                assertThat(loose.exitCode).as("the same real lag is healthy under looser thresholds\n" + loose).isZero();
                assertThat(loose.out).contains("1 replica(s) of s0 within 1m");
            } finally {
                exec(standby.jdbcUrl(), "SELECT pg_wal_replay_resume()");
            }

            awaitStandby(primary, standby, "pg_last_wal_replay_lsn");
            CliRun resumed = validate(dir, runbook("200ms", "1s"), primary, standby);
            assertThat(resumed.exitCode).as("replayed everything it received: no lag\n" + resumed).isZero();
            assertThat(resumed.out).contains("1 replica(s) of s0 within 200ms");

            // A shard server that streams to no standby has nothing to measure: the runbook's `when` skips it.
            CliRun wrong = CliRun.run("validate-shards", "--no-color", "--runbook",
                    Files.writeString(dir.resolve("wrong.yaml"), runbook("1s", "1h")).toString(),
                    "--target", "s0=" + standby.url(), "--target", "s0_replica=" + primary.url());
            assertThat(wrong.out).as(wrong.toString()).contains("SKIP");
        }
    }
}
