package io.pgrunbook.steps.ttl;

import static io.pgrunbook.steps.ttl.TtlHarness.EXPIRED;
import static io.pgrunbook.steps.ttl.TtlHarness.LIVE;
import static io.pgrunbook.steps.ttl.TtlHarness.count;
import static io.pgrunbook.steps.ttl.TtlHarness.metric;
import static io.pgrunbook.steps.ttl.TtlHarness.exec;
import static io.pgrunbook.steps.ttl.TtlHarness.runStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** ttl.sweep against the seed 001 table on the real sandbox. */
class TtlSweepIntegrationTest extends SeededTtlTest {
    /** The index strategy, pinned: these tests are about keyset batches (TtlSweepBlocksTest covers block ranges). */
    static final String SEED = "table: ext_storage_records, expiry_column: expires_at, scope_columns: [tenant_id, install_id, namespace], strategy: index";

    @Test
    void deletesOnlyExpiredRowsInEveryScopeInBatchesOfTheConfiguredSize() throws Exception {
        assertThat(count(db, EXPIRED)).isEqualTo(300);
        StepResult r = runStep(db, SEED + ", delete_batch_size: 1");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.evidence().rows()).allSatisfy(row -> assertThat(row.get(3)).isEqualTo(2L));
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, LIVE)).isEqualTo(2700);
        assertThat(count(db, "SELECT count(DISTINCT (tenant_id, install_id, namespace)) FROM ext_storage_records")).isEqualTo(150);
        assertThat(metric(r, "ttl_cleanup_batches_total")).isEqualTo(300);
        assertThat(r.message()).contains("300 expired rows deleted", "in 300 batches", "0 expired rows pending");
        assertThat(r.evidence().rows()).hasSize(150);
        assertThat(r.evidence().observed()).contains("ext_storage_records_ttl_idx");

        // Larger batches cross scopes on a plain table: 300 rows, batches of 128.
        TtlHarness.loadSeed(db);
        StepResult again = runStep(db, SEED + ", delete_batch_size: 128");
        assertThat(metric(again, "ttl_cleanup_batches_total")).isEqualTo(3);
        assertThat(again.evidence().rows()).hasSize(150).allSatisfy(row -> assertThat(row.get(3)).isEqualTo(2L));
        assertThat(count(db, EXPIRED)).isZero();
        assertThat(count(db, LIVE)).isEqualTo(2700);

        // A sample sweeps scope by scope: one batch per scope (2 expired rows each).
        TtlHarness.loadSeed(db);
        StepResult sampled = runStep(db, SEED + ", sample: 150, delete_batch_size: 1000");
        assertThat(metric(sampled, "ttl_cleanup_batches_total")).isEqualTo(150);
        assertThat(count(db, EXPIRED)).isZero();
    }

    @Test
    void dryRunCountsPerScopeShowsThePlanAndDeletesNothing() throws Exception {
        StepResult r = runStep(db, SEED + ", dry_run: true");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("dry run: 300 expired rows pending in 150 scope(s)", "nothing deleted");
        assertThat(r.evidence().observed()).contains("when a row is held:", "LockRows", "Tid Scan", "uses index ext_storage_records_ttl_idx");
        assertThat(r.message()).contains("plan: select batch:");
        assertThat(r.evidence().rows()).allSatisfy(row -> assertThat(row.get(2)).isEqualTo(2L));
        assertThat(count(db, EXPIRED)).isEqualTo(300);
        assertThat(metric(r, "ttl_expired_rows_pending")).isEqualTo(300);
    }

    @Test
    void aRowLockedByAnotherSessionIsSkippedCountedAndDeletedNextTime() throws Exception {
        try (Connection other = DriverManager.getConnection(db); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("SELECT 1 FROM ext_storage_records WHERE expires_at < now() ORDER BY tenant_id, install_id, namespace, key LIMIT 1 FOR UPDATE");
            StepResult r = runStep(db, SEED);
            assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
            assertThat(metric(r, "ttl_cleanup_skipped_locked_total")).isEqualTo(1);
            assertThat(metric(r, "ttl_expired_rows_pending")).isEqualTo(1);
            assertThat(r.message()).contains("299 expired rows deleted", "1 skipped");
            other.rollback();
        }
        assertThat(count(db, EXPIRED)).isEqualTo(1);
        StepResult next = runStep(db, SEED);
        assertThat(metric(next, "ttl_cleanup_skipped_locked_total")).isZero();
        assertThat(count(db, EXPIRED)).isZero();
    }

    @Test
    void aRowWhoseExpiryIsPushedOutBetweenSelectAndDeleteSurvives() throws Exception {
        AtomicBoolean pushed = new AtomicBoolean();
        TtlSweepStep.testHooks = (scope, rows) -> {
            if (pushed.compareAndSet(false, true)) {
                exec(db, "UPDATE ext_storage_records SET expires_at = now() + interval '1 day' WHERE tenant_id = '" + scope.get(0)
                        + "' AND install_id = '" + scope.get(1) + "' AND namespace = '" + scope.get(2) + "' AND expires_at < now()");
            }
        };
        StepResult r = runStep(db, SEED);
        assertThat(pushed).isTrue();
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(count(db, EXPIRED)).isZero();
        // The two rows of the first scope were selected while expired, extended, and not deleted.
        assertThat(count(db, "SELECT count(*) FROM ext_storage_records WHERE expires_at > now() AND expires_at < now() + interval '2 days'"))
                .isEqualTo(2);
        assertThat(metric(r, "ttl_cleanup_skipped_locked_total")).isZero();
        assertThat(metric(r, "ttl_cleanup_changed_rows_total")).isEqualTo(2);
        assertThat(r.message()).contains("298 expired rows deleted", "2 changed since selected");
    }

    @Test
    void refusesWithoutAnIndexOnTheExpiryAndSweepsWithForce() throws Exception {
        exec(db, "DROP INDEX ext_storage_records_ttl_idx", "ANALYZE ext_storage_records");
        StepResult r = runStep(db, SEED);
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("refused", "would not use an index on the expiry column expires_at", "force: true");
        assertThat(count(db, EXPIRED)).isEqualTo(300);
        StepResult dry = runStep(db, SEED + ", dry_run: true");
        assertThat(dry.status()).isEqualTo(Status.WARN);
        assertThat(dry.message()).contains("a real sweep would refuse");
        StepResult forced = runStep(db, SEED + ", force: true");
        assertThat(forced.status()).as(forced.message()).isEqualTo(Status.PASS);
        assertThat(count(db, EXPIRED)).isZero();
    }

    @Test
    void stopsAtTheTimeLimitWithCommittedProgressReported() throws Exception {
        long t0 = System.nanoTime();
        StepResult r = runStep(db, SEED + ", delete_batch_size: 1, pause: 20ms, max_run_time: 300ms");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.message()).isEqualTo(Status.WARN);
        assertThat(r.message()).contains("stopped early (max_run_time 300ms reached)", "run again to carry on");
        long deleted = (long) metric(r, "ttl_cleanup_deletes_total");
        assertThat(deleted).isBetween(1L, 299L);
        assertThat(count(db, EXPIRED)).isEqualTo(300 - deleted);
        assertThat(metric(r, "ttl_expired_rows_pending")).isEqualTo(300 - deleted);
        assertThat(metric(r, "ttl_sweep_complete")).isZero();
        assertThat(ms).isLessThan(10_000);
        // The next run carries on.
        assertThat(runStep(db, SEED).status()).isEqualTo(Status.PASS);
        assertThat(count(db, EXPIRED)).isZero();
    }

    @Test
    void cancellationStopsBetweenBatchesAndReportsWhatCommitted() throws Exception {
        Cancellation cancellation = new Cancellation();
        AtomicInteger selects = new AtomicInteger();
        TtlSweepStep.testHooks = (scope, rows) -> {
            if (selects.incrementAndGet() == 20) {
                cancellation.cancel();
            }
        };
        RunReport report = TtlHarness.run(TtlHarness.sweep(db, SEED + ", select_batch_size: 2, delete_batch_size: 1"), cancellation);
        StepResult r = report.steps().get(0);
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.message()).contains("interrupted", "are committed", "run again to carry on");
        long deleted = (long) metric(r, "ttl_cleanup_deletes_total");
        assertThat(deleted).isEqualTo(38); // 19 select batches of two rows, then the cancel before the 20th batch's first delete
        assertThat(count(db, EXPIRED)).isEqualTo(300 - deleted);
        assertThat(r.metrics()).noneMatch(m -> m.name().equals("ttl_expired_rows_pending"));
        assertThat(metric(r, "ttl_sweep_complete")).isZero();
    }

    @Test
    void rateLimitHoldsTheSweepBack() throws Exception {
        exec(db, "DELETE FROM ext_storage_records WHERE expires_at < now() AND tenant_id <> md5('tenant-1')::uuid");
        assertThat(count(db, EXPIRED)).isEqualTo(30);
        long t0 = System.nanoTime();
        StepResult r = runStep(db, SEED + ", rate_limit: 100, delete_batch_size: 5");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        // 30 rows at 100 rows/s: the last batch is due 300 ms after the start.
        assertThat(ms).isGreaterThanOrEqualTo(280);
        assertThat(metric(r, "ttl_sweep_rows_per_second")).isLessThanOrEqualTo(110);
    }

    @Test
    void metricsReachPrometheusWithHashedScopeLabelsAndNoTenantIds() throws Exception {
        RunReport report = TtlHarness.run(TtlHarness.sweep(db, SEED), new Cancellation());
        String text = TtlHarness.render(report, ReportFormat.PROMETHEUS);
        assertThat(text).containsPattern("ttl_cleanup_deletes_total\\{[^}]*table=\"ext_storage_records\",scope=\"[0-9a-f]{8}\"} 2\\n");
        assertThat(text).contains("# TYPE ttl_expired_rows_pending gauge", "ttl_oldest_expired_row_age_seconds", "ttl_cleanup_batches_total");
        assertThat(text).doesNotContain(uuid("tenant-1"));
        String first = ScopeHash.of(java.util.List.of(uuid("tenant-1"), uuid("install-1-1"), "ns-1"));
        assertThat(text).contains("scope=\"" + first + "\"");
        assertThat(ScopeHash.of(java.util.List.of(uuid("tenant-1"), uuid("install-1-1"), "ns-1"))).isEqualTo(first);
    }

    @Test
    void theBacklogAssertionFailsWhenTooManyExpiredRowsRemain() throws Exception {
        StepResult r = runStep(db, SEED + ", sample: 3, max_pending: 10");
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.message()).contains("backlog over threshold: 294 expired rows pending > max_pending 10");
        assertThat(count(db, EXPIRED)).isEqualTo(294);
        assertThat(runStep(db, SEED + ", max_pending: 10").status()).isEqualTo(Status.PASS);
    }

    @Test
    void oneScopeOnly() throws Exception {
        StepResult r = runStep(db, SEED + ", scope: {tenant_id: " + uuid("tenant-2") + ", namespace: ns-3}");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.message()).contains("6 expired rows deleted");
        assertThat(count(db, EXPIRED)).isEqualTo(294);
        assertThat(count(db, "SELECT count(*) FROM ext_storage_records WHERE expires_at < now() AND tenant_id = '" + uuid("tenant-2")
                + "' AND namespace = 'ns-3'")).isZero();
    }

    @Test
    void aSecondSweepOfTheSameTableIsRefusedWhileOneRuns() throws Exception {
        try (Connection other = DriverManager.getConnection(db); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('pgrunbook.ttl.sweep'), hashtext('ext_storage_records'))");
            StepResult r = runStep(db, SEED);
            assertThat(r.status()).isEqualTo(Status.ERROR);
            assertThat(r.message()).contains("another ttl.sweep of ext_storage_records is running");
        }
        assertThat(count(db, EXPIRED)).isEqualTo(300);
    }

    @Test
    void aTableWithoutPrimaryKeyIsSweptByCtidWithTheReplicaLagCheckOn() throws Exception {
        exec(db, "CREATE TABLE sessions (owner int NOT NULL, expires timestamptz)",
                "INSERT INTO sessions SELECT g % 5, CASE WHEN g % 2 = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 hour' END "
                        + "FROM generate_series(1, 4000) g",
                "CREATE INDEX sessions_ttl ON sessions (owner, expires) WHERE expires IS NOT NULL", "ANALYZE sessions");
        StepResult r = runStep(db, "table: sessions, expiry_column: expires, scope_columns: [owner], delete_batch_size: 300, max_replica_lag: 10s, "
                + "strategy: index");
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(count(db, "SELECT count(*) FROM sessions WHERE expires < now()")).isZero();
        assertThat(count(db, "SELECT count(*) FROM sessions")).isEqualTo(2000);
        assertThat(metric(r, "ttl_cleanup_batches_total")).isEqualTo(7); // 2000 rows across owners, 300 a batch
    }

    @Test
    void anExpiryExpressionWorksWithForce() throws Exception {
        StepResult r = runStep(db, "table: ext_storage_records, expiry_expression: \"created_at + interval '100 days'\", "
                + "scope_columns: [tenant_id], force: true, dry_run: true");
        assertThat(r.status()).as(r.message()).isIn(Status.PASS, Status.WARN);
        assertThat(r.message()).contains("dry run: 3000 expired rows pending in 10 scope(s)");
    }


    static String uuid(String seed) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String h = java.util.HexFormat.of().formatHex(d);
            return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-" + h.substring(20);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
