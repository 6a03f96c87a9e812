package io.pgrunbook.steps.ttl;

import static io.pgrunbook.steps.ttl.TtlHarness.EXPIRED;
import static io.pgrunbook.steps.ttl.TtlHarness.LIVE;
import static io.pgrunbook.steps.ttl.TtlHarness.count;
import static io.pgrunbook.steps.ttl.TtlHarness.exec;
import static io.pgrunbook.steps.ttl.TtlHarness.runStep;
import static io.pgrunbook.steps.ttl.TtlHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** ttl.sweep by heap block ranges (strategy blocks, and auto's choice between blocks and the index). */
class TtlSweepBlocksTest extends SeededTtlTest {
    static final String SEED = "table: ext_storage_records, expiry_column: expires_at, scope_columns: [tenant_id, install_id, namespace]";

    @Test
    void autoSweepsALargeBacklogByBlockRangesDeletingOnlyExpiredRowsWithExactCountsPerScope() throws Exception {
        StepResult r = runStep(db, SEED + ", delete_batch_size: 40");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("300 expired rows deleted", "batches of heap block ranges", "0 expired rows pending");
        assertThat(r.evidence().observed()).contains("strategy: blocks (10.0% of ~3000 rows expired", "Tid Range Scan");
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, LIVE)).isEqualTo(2700);
        // Every scope lost exactly its two expired rows, and its live neighbours are all there.
        assertThat(r.evidence().rows()).hasSize(150).allSatisfy(row -> {
            assertThat(row.get(2)).isEqualTo(2L);
            assertThat(row.get(3)).isEqualTo(2L);
            assertThat(row.get(6)).isEqualTo(0L);
        });
        assertThat(count(db, "SELECT count(DISTINCT (tenant_id, install_id, namespace)) FROM ext_storage_records")).isEqualTo(150);
        assertThat(metric(r, "ttl_sweep_rows_deleted")).isEqualTo(300);
        assertThat(metric(r, "ttl_cleanup_deletes_total")).isEqualTo(300);
        assertThat(metric(r, "ttl_cleanup_batches_total")).isGreaterThan(1);
        String text = TtlHarness.render(TtlHarness.run(TtlHarness.sweep(db, SEED), new Cancellation()), ReportFormat.PROMETHEUS);
        assertThat(text).contains("ttl_expired_rows_pending{", "ttl_sweep_deleting_seconds{");
    }

    @Test
    void theBacklogCountsGroupByTheScopeColumnsInIndexOrderNotByTheirTextCopies() throws Exception {
        // Named like the columns, the text outputs were what GROUP BY and ORDER BY took: every expired
        // row's scope was cast and sorted (on disk for a million rows) instead of read in index order.
        TtlConfig config = TtlConfig.from(java.util.Map.of("table", "ext_storage_records", "expiry_column", "expires_at",
                "scope_columns", List.of("tenant_id", "install_id", "namespace")));
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
            TtlSql sql = new TtlSql(TtlTable.inspect(c, config), config);
            s.execute(TtlSweeper.PREFER_INDEX);
            for (String statement : List.of(sql.pending, sql.pendingSince.replace("CAST(? AS timestamptz)", "now()"))) {
                StringBuilder plan = new StringBuilder();
                try (java.sql.ResultSet rs = s.executeQuery("EXPLAIN " + statement)) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                assertThat(plan.toString()).as(statement).contains("GroupAggregate", "Index Only Scan using ext_storage_records_ttl_idx")
                        .doesNotContain("::text", "Sort");
            }
            s.execute(TtlSweeper.RESET_PREFER_INDEX);
        }
    }

    @Test
    void autoKeepsTheIndexForASmallBacklog() throws Exception {
        // 30 of 2,730 rows expired (1 %): fewer than the 5 % from which a pass over the heap pays.
        exec(db, "DELETE FROM ext_storage_records WHERE expires_at < now() AND tenant_id <> md5('tenant-1')::uuid", "ANALYZE ext_storage_records");
        StepResult r = runStep(db, SEED);
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.evidence().observed()).contains("strategy: index (1.1% of ~2730 rows expired, under 5%");
        assertThat(r.message()).contains("30 expired rows deleted").doesNotContain("block ranges");
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, LIVE)).isEqualTo(2700);
    }

    @Test
    void dryRunShowsTheBlockRangePlanAndDeletesNothing() throws Exception {
        StepResult r = runStep(db, SEED + ", strategy: blocks, dry_run: true");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.evidence().observed()).contains("strategy: blocks (strategy: blocks", "ModifyTable on ext_storage_records > Tid Range Scan",
                "LockRows > Tid Range Scan");
        assertThat(count(db, EXPIRED)).isEqualTo(300);
    }

    @Test
    void aRowLockedByAnotherSessionIsSkippedCountedAndDeletedNextTime() throws Exception {
        try (Connection other = DriverManager.getConnection(db); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("SELECT 1 FROM ext_storage_records WHERE expires_at < now() ORDER BY ctid LIMIT 1 FOR UPDATE");
            StepResult r = runStep(db, SEED + ", strategy: blocks");
            assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
            assertThat(metric(r, "ttl_cleanup_skipped_locked_total")).isEqualTo(1);
            assertThat(metric(r, "ttl_expired_rows_pending")).isEqualTo(1);
            assertThat(metric(r, "ttl_cleanup_changed_rows_total")).isZero();
            // The range with the held row was tried directly three times, then once with SKIP LOCKED.
            assertThat(metric(r, "ttl_sweep_held_row_tries_total")).isEqualTo(BlockRanges.DIRECT_TRIES);
            assertThat(metric(r, "ttl_sweep_skip_locked_batches_total")).isEqualTo(1);
            assertThat(r.message()).contains("299 expired rows deleted", "1 skipped");
            assertThat(r.evidence().rows()).filteredOn(row -> row.get(5).equals(1L)).hasSize(1)
                    .allSatisfy(row -> assertThat(row.get(6)).isEqualTo(1L));
            other.rollback();
        }
        assertThat(count(db, EXPIRED)).isEqualTo(1);
        StepResult next = runStep(db, SEED + ", strategy: blocks");
        assertThat(metric(next, "ttl_cleanup_skipped_locked_total")).isZero();
        assertThat(count(db, EXPIRED)).isZero();
    }

    @Test
    void aRowWhoseExpiryIsPushedOutDuringTheSweepSurvives() throws Exception {
        AtomicBoolean pushed = new AtomicBoolean();
        TtlSweepStep.testHooks = (scope, blocks) -> {
            if (pushed.compareAndSet(false, true)) {
                exec(db, "UPDATE ext_storage_records SET expires_at = now() + interval '1 day' "
                        + "WHERE tenant_id = md5('tenant-1')::uuid AND expires_at < now()");
            }
        };
        StepResult r = runStep(db, SEED + ", strategy: blocks, delete_batch_size: 10");
        assertThat(pushed).isTrue();
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("270 expired rows deleted");
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, "SELECT count(*) FROM ext_storage_records WHERE tenant_id = md5('tenant-1')::uuid "
                + "AND expires_at BETWEEN now() AND now() + interval '2 days'")).isEqualTo(30);
    }

    /** The seed inserts its expired rows last, at the end of the heap: spread them over every block. */
    private static void shuffle() throws Exception {
        exec(db, "CREATE TEMP TABLE shuffled AS SELECT * FROM ext_storage_records ORDER BY random()",
                "TRUNCATE ext_storage_records", "INSERT INTO ext_storage_records SELECT * FROM shuffled", "DROP TABLE shuffled",
                "VACUUM ANALYZE ext_storage_records");
    }

    @Test
    void stopsAtTheTimeLimitAndOnCancellationWithCommittedRangesReported() throws Exception {
        shuffle();
        StepResult r = runStep(db, SEED + ", strategy: blocks, delete_batch_size: 2, pause: 50ms, max_run_time: 300ms");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.WARN);
        assertThat(r.message()).contains("stopped early (max_run_time 300ms reached)");
        long deleted = (long) metric(r, "ttl_sweep_rows_deleted");
        assertThat(deleted).isBetween(1L, 299L);
        assertThat(count(db, EXPIRED)).isEqualTo(300 - deleted);
        assertThat(metric(r, "ttl_expired_rows_pending")).isEqualTo(300 - deleted);
        assertThat(metric(r, "ttl_cleanup_deletes_total")).isEqualTo(deleted);
        assertThat(metric(r, "ttl_sweep_complete")).isZero();

        TtlHarness.loadSeed(db);
        shuffle();
        Cancellation cancellation = new Cancellation();
        AtomicInteger ranges = new AtomicInteger();
        TtlSweepStep.testHooks = (scope, blocks) -> {
            if (ranges.incrementAndGet() == 4) {
                cancellation.cancel();
            }
        };
        RunReport report = TtlHarness.run(TtlHarness.sweep(db, SEED + ", strategy: blocks, delete_batch_size: 2"), cancellation);
        StepResult c = report.steps().get(0);
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.message()).contains("interrupted", "are committed");
        long gone = 300 - count(db, EXPIRED);
        assertThat(gone).isPositive().isEqualTo((long) metric(c, "ttl_sweep_rows_deleted"));
        assertThat(metric(c, "ttl_cleanup_batches_total")).isEqualTo(3);
        assertThat(count(db, LIVE)).isEqualTo(2700);
    }

    @Test
    void rateLimitHoldsTheSweepBack() throws Exception {
        long t0 = System.nanoTime();
        StepResult r = runStep(db, SEED + ", strategy: blocks, rate_limit: 1000, delete_batch_size: 30");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        // 300 rows at 1,000 rows/s: the last range is due 300 ms after the first.
        assertThat(ms).isGreaterThanOrEqualTo(280);
        assertThat(metric(r, "ttl_sweep_rows_per_second")).isLessThanOrEqualTo(1100);
    }

    @Test
    void blocksIsRefusedWhereItCannotWorkAndAutoFallsBackToTheIndex() throws Exception {
        StepResult scoped = runStep(db, SEED + ", strategy: blocks, scope: {namespace: ns-1}");
        assertThat(scoped.status()).isEqualTo(Status.ERROR);
        assertThat(scoped.message()).contains("strategy blocks is not possible here: one scope is swept through the index");
        StepResult sampled = runStep(db, SEED + ", strategy: blocks, sample: 2");
        assertThat(sampled.status()).isEqualTo(Status.ERROR);
        assertThat(sampled.message()).contains("a sample sweeps chosen scopes only");
        assertThat(count(db, EXPIRED)).isEqualTo(300);
        StepResult auto = runStep(db, SEED + ", scope: {namespace: ns-1}");
        assertThat(auto.status()).as(auto.message()).isEqualTo(Status.PASS);
        assertThat(auto.evidence().observed()).contains("strategy: index (one scope is swept through the index)");
        assertThat(count(db, EXPIRED)).isEqualTo(240);
    }

    @Test
    void aPartitionedTableIsSweptThroughItsIndex() throws Exception {
        exec(db, "DROP TABLE IF EXISTS tokens",
                "CREATE TABLE tokens (owner int NOT NULL, expires_at timestamptz) PARTITION BY HASH (owner)",
                "CREATE TABLE tokens_0 PARTITION OF tokens FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE tokens_1 PARTITION OF tokens FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
                "INSERT INTO tokens SELECT g % 7, now() - interval '1 hour' * (g % 2 * 2 - 1) FROM generate_series(1, 2000) g",
                "CREATE INDEX tokens_ttl ON tokens (owner, expires_at) WHERE expires_at IS NOT NULL", "ANALYZE tokens");
        String with = "table: tokens, expiry_column: expires_at, scope_columns: [owner]";
        StepResult refused = runStep(db, with + ", strategy: blocks");
        assertThat(refused.status()).isEqualTo(Status.ERROR);
        assertThat(refused.message()).contains("a partitioned table is swept through its index");
        StepResult r = runStep(db, with);
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("1000 expired rows deleted");
        assertThat(count(db, "SELECT count(*) FROM tokens WHERE expires_at < now()")).isZero();
        assertThat(count(db, "SELECT count(*) FROM tokens")).isEqualTo(1000);
    }

    @Test
    void aConcurrentWriterIsNeverBlockedLongerThanOneBatchWithEitherStrategy() throws Exception {
        for (String strategy : List.of("blocks", "index")) {
            exec(db, "DROP TABLE IF EXISTS events",
                    "CREATE TABLE events (id bigserial PRIMARY KEY, tenant int NOT NULL, payload text, expires_at timestamptz)",
                    "INSERT INTO events (tenant, payload, expires_at) SELECT g % 50, repeat('x', 40), "
                            + "CASE WHEN g % 2 = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END FROM generate_series(1, 60000) g",
                    "CREATE INDEX events_ttl ON events (tenant, expires_at) WHERE expires_at IS NOT NULL", "VACUUM ANALYZE events");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong worstNanos = new AtomicLong();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(db);
                        PreparedStatement insert = c.prepareStatement("INSERT INTO events (tenant, payload, expires_at) VALUES (?, 'live', now() + interval '1 day')");
                        PreparedStatement update = c.prepareStatement("UPDATE events SET payload = 'touched' WHERE id = ?")) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        insert.setInt(1, random.nextInt(50));
                        insert.executeUpdate();
                        // Even ids are the expired rows: the ones the sweep's batches lock.
                        update.setLong(1, 2L * (1 + random.nextInt(30000)));
                        update.executeUpdate();
                        worstNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        writes.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            StepResult r;
            try {
                Thread.sleep(100);
                r = runStep(db, "table: events, expiry_column: expires_at, scope_columns: [tenant], delete_batch_size: 1000, strategy: " + strategy);
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
            assertThat(r.message()).contains(strategy.equals("blocks") ? "block ranges" : "rows deleted");
            double longestBatchMs = metric(r, "ttl_sweep_longest_batch_seconds") * 1000;
            double worstMs = worstNanos.get() / 1e6;
            assertThat(writes.get()).as("the writer kept writing").isGreaterThan(10);
            // A writer waits at most for the one batch that holds its row; slack for a busy 2-core machine.
            assertThat(worstMs).as(strategy + ": writer's worst write " + worstMs + " ms, longest batch " + longestBatchMs + " ms")
                    .isLessThan(longestBatchMs + 250);
            assertThat(count(db, "SELECT count(*) FROM events WHERE expires_at < now()"))
                    .isLessThanOrEqualTo((long) (metric(r, "ttl_cleanup_skipped_locked_total") + metric(r, "ttl_cleanup_changed_rows_total")));
            assertThat(count(db, "SELECT count(*) FROM events WHERE expires_at >= now()")).isEqualTo(30000 + writes.get());
        }
    }
}
