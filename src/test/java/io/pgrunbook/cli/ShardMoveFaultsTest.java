package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.steps.shardmove.MoveHooks;
import io.pgrunbook.steps.shardmove.ShardMoveStep;
import io.pgrunbook.steps.shardset.JumpHash;
import io.pgrunbook.testsupport.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** shard-move's faults: a killed run, a source that goes away, a verify mismatch, cancel, and each refusal. */
@ExtendWith(TestPostgres.class)
class ShardMoveFaultsTest {
    @TempDir
    Path dir;

    @AfterEach
    void noHooks() {
        ShardMoveStep.testHooks(null);
    }

    @Test
    void aRunKilledMidCopyResumesToTheSameEndState() throws Exception {
        stopMidCopyThenResume("mv_kill", false);
    }

    @Test
    void aRunInterruptedMidCopyStopsBetweenBatchesAndResumes() throws Exception {
        stopMidCopyThenResume("mv_term", true);
    }

    /** @param graceful SIGTERM (handled as Ctrl-C: stop between batches, exit 130) rather than SIGKILL */
    private void stopMidCopyThenResume(String prefix, boolean graceful) throws Exception {
        MoveFixture f = MoveFixture.create(prefix, 400, 3);
        Map<Long, Map<Long, BigDecimal>> before = f.snapshot(new ArrayList<>());
        ChildProcess child = ChildProcess.start(dir, Map.of(),
                f.args("run", "--yes", "--batch-size", "10", "--pause", "150ms").toArray(String[]::new));
        long done = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (done < 3 && System.nanoTime() < deadline && child.process.isAlive()) {
            Thread.sleep(100);
            try {
                done = f.count(4, "SELECT count(done_at) FROM pgrunbook.shard_move_batch");
            } catch (SQLException notYet) {
                // the state tables are created when the move starts
            }
        }
        assertThat(child.process.isAlive()).as("the move is still copying: " + child.err()).isTrue();
        if (graceful) {
            child.process.destroy(); // SIGTERM, which pgrunbook handles as Ctrl-C
            assertThat(child.process.waitFor()).as(child.err()).isEqualTo(130);
            assertThat(child.err()).contains("interrupted");
        } else {
            child.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            child.process.waitFor();
        }
        long batches = f.count(4, "SELECT count(*) FROM pgrunbook.shard_move_batch");
        long doneAtKill = f.count(4, "SELECT count(done_at) FROM pgrunbook.shard_move_batch");
        assertThat(doneAtKill).isGreaterThanOrEqualTo(3).isLessThan(batches);

        CliRun status = CliRun.run(f.args("status").toArray(String[]::new));
        assertThat(status.exitCode).as(status.toString()).isZero();
        assertThat(status.out).contains("copy, " + doneAtKill + "/" + batches + " batches");

        CliRun resumed = CliRun.run(f.args("run", "--yes", "--batch-size", "10").toArray(String[]::new));
        assertThat(resumed.exitCode).as(resumed.toString()).isZero();
        assertThat(resumed.out).contains("PASS  cleanup");
        List<String> problems = new ArrayList<>();
        assertThat(f.snapshot(problems)).isEqualTo(before);
        assertThat(problems).isEmpty();
    }

    @Test
    void aSourceThatGoesAwayPausesTheMoveAndItResumes() throws Exception {
        MoveFixture f = MoveFixture.create("mv_away", 200, 2);
        Map<Long, Map<Long, BigDecimal>> before = f.snapshot(new ArrayList<>());
        String db0 = f.databases.get(0);
        AtomicBoolean fired = new AtomicBoolean();
        ShardMoveStep.testHooks(new MoveHooks() {
            @Override
            public void afterBatch(String source, int batchNo) throws SQLException {
                if (source.equals("shard0") && fired.compareAndSet(false, true)) {
                    try (Connection c = TestPostgres.shared().connect(); Statement st = c.createStatement()) {
                        st.execute("ALTER DATABASE \"" + db0 + "\" ALLOW_CONNECTIONS false");
                        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db0 + "'");
                    }
                }
            }
        });
        CliRun run = CliRun.run(f.args("run", "--yes", "--batch-size", "6").toArray(String[]::new));
        ShardMoveStep.testHooks(null);
        assertThat(run.exitCode).as(run.toString()).isEqualTo(3);
        assertThat(run.out).contains("source shard shard0 went away during copy", "the move is paused", "rerun 'shard-move run'");
        try (Connection c = TestPostgres.shared().connect(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE \"" + db0 + "\" ALLOW_CONNECTIONS true");
        }
        CliRun status = CliRun.run(f.args("status").toArray(String[]::new));
        assertThat(status.out).as(status.toString()).contains("paused: source shard shard0 went away");

        CliRun resumed = CliRun.run(f.args("run", "--yes", "--batch-size", "6").toArray(String[]::new));
        assertThat(resumed.exitCode).as(resumed.toString()).isZero();
        List<String> problems = new ArrayList<>();
        assertThat(f.snapshot(problems)).isEqualTo(before);
        assertThat(problems).isEmpty();
    }

    @Test
    void verifyListsAnInjectedMismatchAndCancelRestoresTheSources() throws Exception {
        MoveFixture f = MoveFixture.create("mv_diff", 200, 2);
        Map<Long, Map<Long, BigDecimal>> before = f.snapshot(new ArrayList<>());
        long victim = 1;
        while (JumpHash.bucket(victim, 5) != 4) {
            victim++;
        }
        long key = victim;
        ShardMoveStep.testHooks(new MoveHooks() {
            @Override
            public void afterPhase(String phase) throws SQLException {
                if (phase.equals("catch-up")) {
                    f.exec(4, "UPDATE orders SET total = total + 1000 WHERE order_id = " + (key * 100 + 1));
                }
            }
        });
        CliRun run = CliRun.run(f.args("run", "--yes").toArray(String[]::new));
        ShardMoveStep.testHooks(null);
        assertThat(run.exitCode).as(run.toString()).isEqualTo(1);
        assertThat(run.out).contains("FAIL  verify", "1 keys differ between source and shard4: " + key + " (shard" + JumpHash.bucket(key, 4) + ")",
                "phase   | mismatch\n       status  | FAIL\n       keys    | " + key + "\n");
        assertThat(f.count(0, "SELECT count(*) FROM pg_trigger WHERE tgname = 'pgrunbook_shard_move'")).isEqualTo(2);

        CliRun cancel = CliRun.run(f.args("cancel", "--yes").toArray(String[]::new));
        assertThat(cancel.exitCode).as(cancel.toString()).isZero();
        assertThat(cancel.out).contains("cancelled", "the sources are as they were");
        assertThat(f.count(4, "SELECT count(*) FROM orders") + f.count(4, "SELECT count(*) FROM restaurants")).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(f.count(i, "SELECT count(*) FROM pg_trigger WHERE tgname = 'pgrunbook_shard_move'")).isZero();
            assertThat(f.count(i, "SELECT count(*) FROM pg_class WHERE relname IN ('shard_move_log', 'shard_move_frozen')")).isZero();
        }
        assertThat(f.snapshot(new ArrayList<>())).isEqualTo(before);
        CliRun status = CliRun.run(f.args("status").toArray(String[]::new));
        assertThat(status.out).contains("cancelled");
        CliRun again = CliRun.run(f.args("plan").toArray(String[]::new));
        assertThat(again.exitCode).as("after a cancel the move can start afresh: " + again).isZero();
    }

    @Test
    void refusesWhatWouldLoseOrMisplaceRows() throws Exception {
        MoveFixture f = MoveFixture.create("mv_refuse", 60, 1);
        CliRun zero = CliRun.run(f.args("run", "--yes", "--batch-size", "0").toArray(String[]::new));
        assertThat(zero.exitCode).as(zero.toString()).isEqualTo(2);
        assertThat(zero.err).contains("batch_size must be at least 1");

        f.exec(4, "ALTER TABLE orders ADD COLUMN coupon text");
        CliRun schema = CliRun.run(f.args("run", "--yes").toArray(String[]::new));
        assertThat(schema.exitCode).as(schema.toString()).isEqualTo(1);
        assertThat(schema.out).contains("refused, nothing changed", "schema differs", "shard4", "coupon");
        f.exec(4, "ALTER TABLE orders DROP COLUMN coupon");

        f.exec(4, "INSERT INTO restaurants VALUES (999, 'stray', NULL, NULL)");
        CliRun holds = CliRun.run(f.args("run", "--yes").toArray(String[]::new));
        assertThat(holds.exitCode).as(holds.toString()).isEqualTo(1);
        assertThat(holds.out).contains("shard4 already holds rows of restaurants", "999");
        f.exec(4, "DELETE FROM restaurants");

        long stray = 1;
        while (JumpHash.bucket(stray, 4) == 1) {
            stray++;
        }
        int home = JumpHash.bucket(stray, 4);
        f.exec(home, "DELETE FROM orders WHERE restaurant_id = " + stray + "; DELETE FROM restaurants WHERE restaurant_id = " + stray);
        f.exec(1, "INSERT INTO restaurants VALUES (" + stray + ", 'misplaced', NULL, NULL)");
        CliRun map = CliRun.run(f.args("run", "--yes").toArray(String[]::new));
        assertThat(map.exitCode).as(map.toString()).isEqualTo(1);
        assertThat(map.out).contains("1 keys are not on the shard jump hash over 4 shards gives them",
                "key " + stray + " on shard1 belongs on shard" + home);
        f.exec(1, "DELETE FROM restaurants WHERE restaurant_id = " + stray);

        for (int i = 0; i < 4; i++) {
            assertThat(f.count(i, "SELECT count(*) FROM pg_trigger WHERE tgname = 'pgrunbook_shard_move'")).as("refusals change nothing").isZero();
        }
        assertThat(f.count(4, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgrunbook'")).isZero();

        try (Connection holder = f.connect(4); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(x'70677262'::int, hashtext('pgrunbook:shard-move'))");
            CliRun locked = CliRun.run(f.args("run", "--yes").toArray(String[]::new));
            assertThat(locked.exitCode).as(locked.toString()).isEqualTo(3);
            assertThat(locked.out).contains("another shard-move is working on shard4");
        }
        List<String> secret = f.args("plan");
        secret.replaceAll(a -> a.startsWith("shard2=") ? a + "&password=Sup3rS3cretPw" : a);
        CliRun plan = CliRun.run(secret.toArray(String[]::new));
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.all()).as("a password is never printed").doesNotContain("Sup3rS3cretPw");

        CliRun dry = CliRun.run(f.args("run", "--dry-run").toArray(String[]::new));
        assertThat(dry.exitCode).as(dry.toString()).isZero();
        assertThat(dry.out).contains("WRITES", "copy: batches of at most 5000 rows", "PASS   plan");
    }
}
