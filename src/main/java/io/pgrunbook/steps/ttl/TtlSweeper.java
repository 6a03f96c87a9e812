package io.pgrunbook.steps.ttl;

import io.pgrunbook.db.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired rows scope by scope: a select batch of row keys in expiry order (a read, no
 * locks), then delete batches, each one statement and so one short transaction, that lock what they
 * can with SKIP LOCKED and delete only rows still expired by the server's clock at delete time.
 * Stops between batches at the time limit or on cancellation; whatever committed stays committed.
 */
final class TtlSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(TtlSweeper.class);
    static final String TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext('pgrunbook.ttl.sweep'), hashtext(?))";
    static final String UNLOCK = "SELECT pg_advisory_unlock(hashtext('pgrunbook.ttl.sweep'), hashtext(?))";
    /** The fast path's bound on waiting for a row lock: in effect, do not wait. */
    static final String NO_LOCK_WAIT = "SELECT set_config('lock_timeout', '1ms', true)";
    /**
     * The sweep reads through the expiry index, in the index's order, whenever one can serve it:
     * a bitmap scan would fetch every row after the keyset cursor for each batch of a few thousand
     * (the row comparison makes the planner underestimate), and on a small table the planner would
     * scan the table instead; the EXPLAIN that checks for the index then sees the same plan
     * the batches run with, and without such an index it still shows the scan, and the sweep refuses.
     * JIT is off: the backlog counts run once each, and compiling them cost 40-80 ms apiece.
     */
    static final String PREFER_INDEX = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET jit = off";
    static final String PREFER_INDEX_LOCAL = "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off";
    static final String RESET_PREFER_INDEX = "RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_indexscan; RESET enable_indexonlyscan; RESET jit";
    /**
     * The backlog count after a pass over the heap reads the heap: the expiry index still holds an
     * entry for every row the pass deleted, and counting through it would visit each of them.
     */
    static final String PREFER_HEAP = "SET enable_seqscan = on; SET enable_indexscan = off; SET enable_indexonlyscan = off";
    static final String SERVER_NOW = "SELECT now()::text";
    static final String REPLICA_LAG = "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0)::float8 FROM pg_stat_replication";

    /**
     * Test seams between the read of a select batch and its deletes, and before each block range
     * (scope empty, the range's block count), to change rows in between.
     */
    interface Hooks {
        Hooks NONE = (scope, keys) -> {};

        void afterSelect(List<String> scope, int rows) throws SQLException;
    }

    private final TtlConfig config;
    private final BooleanSupplier cancelled;
    private final Hooks hooks;

    private long deleted;
    private long batches;
    private long skipped;
    private long longestBatchNanos;
    /** Time spent deleting: from the first batch to the last, pauses included, backlog counts not. */
    private long deletingNanos;
    private long deletingStarted;
    /** Direct deletes that met a row another session held (and were tried again, or locked with SKIP LOCKED). */
    private long heldTries;
    private long skipLockedBatches;
    /** Selected rows neither deleted nor skipped: updated (moved, or expiry pushed out) or deleted by someone since. */
    private long changed;
    /** The ctid deletes of this sweep's table (one sweep, one table). */
    private final BatchDeletes deletes;
    private final SweepPacer pacer;
    private final SweepSurvey survey;

    TtlSweeper(TtlConfig config, BooleanSupplier cancelled, Hooks hooks) {
        this.config = config;
        this.cancelled = cancelled;
        this.hooks = hooks;
        this.pacer = new SweepPacer(config, cancelled);
        this.deletes = new BatchDeletes(cancelled);
        this.survey = new SweepSurvey(config);
    }

    SweepResult dryRun(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        execute(c, PREFER_INDEX_LOCAL);
        SweepSurvey.Survey s = survey.survey(c);
        long pending = s.scopes().stream().mapToLong(SweepResult.ScopeResult::pendingBefore).sum();
        double oldest = s.scopes().stream().mapToDouble(SweepResult.ScopeResult::oldestAgeBefore).max().orElse(0);
        return new SweepResult(s.table().qualifiedName(), s.scopes(), 0, 0, 0, Duration.ofNanos(System.nanoTime() - t0), null,
                pending, oldest, 0, 0, Duration.ZERO, s.plan().lines(), s.plan().summary(), s.refusal(config), Duration.ZERO,
                s.blocks() != null, 0, 0);
    }

    /** Sweeps on a connection in autocommit mode, holding the table's sweep lock for the duration. */
    SweepResult sweep(Connection c) throws SQLException {
        execute(c, PREFER_INDEX);
        try {
            return sweepPreferringIndex(c);
        } finally {
            try {
                execute(c, RESET_PREFER_INDEX);
            } catch (SQLException e) {
                // The pool must not lend this session on with the setting: drop the connection.
                c.abort(Runnable::run);
            }
        }
    }

    private static String serverNow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SERVER_NOW); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    private SweepResult sweepPreferringIndex(Connection c) throws SQLException {
        pacer.start();
        long surveyed = System.nanoTime();
        SweepSurvey.Survey s = survey.survey(c);
        LOG.debug("ttl.sweep: survey (backlog count, plan) took {} ms", (System.nanoTime() - surveyed) / 1_000_000);
        String table = s.table().qualifiedName();
        String refusal = s.refusal(config);
        if (refusal != null) {
            throw new TtlConfigException("refused: " + refusal);
        }
        if (!lock(c, table)) {
            throw new TtlConfigException("another ttl.sweep of " + table + " is running (advisory lock pgrunbook.ttl.sweep/" + table
                    + " is held); wait for it to finish, or look for it in pg_stat_activity");
        }
        Map<List<String>, long[]> counts = new LinkedHashMap<>();
        String since = s.blocks() == null ? null : serverNow(c);
        long phase = System.nanoTime();
        deletingStarted = phase;
        try {
            if (s.blocks() != null) {
                sweepBlocks(c, s, counts);
            } else if (s.sql().global) {
                if (!s.scopes().isEmpty()) {
                    sweepRange(c, s.sql(), List.copyOf(config.scopeFilter().values()), null, counts);
                }
            } else {
                for (SweepResult.ScopeResult scope : s.scopes()) {
                    if (pacer.shouldStop()) {
                        break;
                    }
                    counts.computeIfAbsent(scope.values(), k -> new long[3]);
                    sweepRange(c, s.sql(), scope.values(), scope.values(), counts);
                }
            }
        } catch (SQLException e) {
            if (!(cancelled.getAsBoolean() && SqlStates.QUERY_CANCELED.equals(e.getSQLState()))) {
                throw e;
            }
            pacer.interrupted();
        } finally {
            deletingNanos = System.nanoTime() - phase;
            unlock(c, table);
        }
        Map<List<String>, SweepResult.ScopeResult> after = new LinkedHashMap<>();
        long pendingAfter = -1;
        double oldest = 0;
        Map<List<String>, Long> stillExpiredSince = new LinkedHashMap<>();
        long counted = System.nanoTime();
        if (!pacer.wasInterrupted()) {
            if (since != null) {
                execute(c, PREFER_HEAP);
            }
            for (SweepResult.ScopeResult r : survey.pending(c, s.sql(), false, since, stillExpiredSince)) {
                after.put(r.values(), r);
            }
            if (since != null) {
                execute(c, RESET_PREFER_INDEX);
                execute(c, PREFER_INDEX);
                // Expired at the start, still there, not skipped: moved by an update during the pass
                // (to a block already passed) or extended; the next run finds those still expired.
                changed = Math.max(0, stillExpiredSince.values().stream().mapToLong(Long::longValue).sum() - skipped);
            }
            pendingAfter = after.values().stream().mapToLong(SweepResult.ScopeResult::pendingBefore).sum();
            oldest = after.values().stream().mapToDouble(SweepResult.ScopeResult::oldestAgeBefore).max().orElse(0);
        }
        LOG.debug("ttl.sweep: backlog count after took {} ms", (System.nanoTime() - counted) / 1_000_000);
        List<SweepResult.ScopeResult> reported = new ArrayList<>();
        for (SweepResult.ScopeResult before : s.scopes()) {
            long[] n = counts.get(before.values());
            if (n == null && !s.sql().global) {
                continue; // not reached before the sweep stopped
            }
            n = n == null ? new long[3] : n;
            SweepResult.ScopeResult a = after.get(before.values());
            long left = pacer.wasInterrupted() ? -1 : a == null ? 0 : a.pendingBefore();
            if (since != null && left >= 0) {
                // A block range deletes rows of many scopes at once, counted only in total (asking the
                // DELETE to return its rows per scope would cost more than the delete): a scope's
                // deletes are the rows that were expired when the sweep began and are gone now.
                n[0] = Math.max(0, before.pendingBefore() - stillExpiredSince.getOrDefault(before.values(), 0L));
            }
            reported.add(new SweepResult.ScopeResult(before.values(), before.pendingBefore(), before.oldestAgeBefore(), n[0], n[1], n[2], left));
        }
        return new SweepResult(table, reported, deleted, batches, skipped, pacer.elapsed(), pacer.stoppedBy(),
                pendingAfter, oldest, pacer.lagPauses(), changed, Duration.ofNanos(longestBatchNanos), s.plan().lines(), s.plan().summary(), null,
                Duration.ofNanos(deletingNanos), since != null, heldTries + deletes.heldTries(), skipLockedBatches + deletes.skipLockedBatches());
    }

    /**
     * Select batches in keyset order over one range (one scope, or all of them), each followed by its
     * delete batches; counts per scope go to {deleted, batches, skipped}.
     */
    private void sweepRange(Connection c, TtlSql sql, List<String> range, List<String> fixedScope, Map<List<String>, long[]> counts)
            throws SQLException {
        List<String> cursor = null;
        java.util.Set<String> seenAtCursor = new java.util.LinkedHashSet<>();
        while (!pacer.shouldStop()) {
            List<List<String>> rows = selectBatch(c, sql, range, cursor, seenAtCursor);
            if (rows.isEmpty()) {
                return;
            }
            List<String> next = sql.cursor(rows.get(rows.size() - 1));
            if (sql.byCtid) {
                if (!next.equals(cursor)) {
                    seenAtCursor.clear();
                }
                for (List<String> row : rows) {
                    if (sql.tuple(row).equals(next)) {
                        seenAtCursor.add(row.get(0));
                    }
                }
            }
            cursor = next;
            hooks.afterSelect(sql.scopeOf(rows.get(0), fixedScope), rows.size());
            for (int from = 0; from < rows.size(); from += config.deleteBatchSize()) {
                if (pacer.shouldStop()) {
                    return;
                }
                pacer.waitForReplicas(c);
                List<List<String>> chunk = rows.subList(from, Math.min(rows.size(), from + config.deleteBatchSize()));
                long t0 = System.nanoTime();
                BatchDeletes.Outcome outcome = deletes.deleteBatch(c, sql, range, chunk);
                longestBatchNanos = Math.max(longestBatchNanos, System.nanoTime() - t0);
                batches++;
                java.util.Set<List<String>> touched = new java.util.HashSet<>();
                for (int r = 0; r < chunk.size(); r++) {
                    List<String> row = chunk.get(r);
                    List<String> scope = sql.scopeOf(row, fixedScope);
                    long[] n = counts.computeIfAbsent(scope, k -> new long[3]);
                    if (touched.add(scope)) {
                        n[1]++;
                    }
                    if (outcome.deleted(r)) {
                        n[0]++;
                        deleted++;
                    } else if (outcome.skipped(r)) {
                        n[2]++;
                        skipped++;
                    } else if (!outcome.byCount()) {
                        changed++;
                    }
                }
                if (outcome.deletedByScope() != null) {
                    for (Map.Entry<List<String>, Long> e : outcome.deletedByScope().entrySet()) {
                        List<String> scope = e.getKey().isEmpty() ? fixedScope : e.getKey();
                        counts.computeIfAbsent(scope, k -> new long[3])[0] += e.getValue();
                    }
                    deleted += outcome.deletedCount();
                    changed += chunk.size() - outcome.deletedCount();
                } else if (outcome.byCount()) {
                    long[] n = counts.computeIfAbsent(fixedScope, k -> new long[3]);
                    n[0] += outcome.deletedCount();
                    n[2] += outcome.skippedCount();
                    deleted += outcome.deletedCount();
                    skipped += outcome.skippedCount();
                }
                pacer.progress(deleted, batches, skipped);
                pacer.throttle(deleted, deletingStarted);
            }
            if (rows.size() < config.selectBatchSize()) {
                return;
            }
        }
    }

    /**
     * Block ranges from the first block to the table's end at the start; each range sized so that it
     * holds about delete_batch_size expired rows and takes about {@link #BLOCK_BATCH_TARGET}, adjusted
     * after every range from what the last one found and took.
     */
    private void sweepBlocks(Connection c, SweepSurvey.Survey s, Map<List<String>, long[]> counts) throws SQLException {
        long end = BlockRanges.blocks(c, s.table());
        double perBlock = Math.max(0.01, s.pending() / (double) Math.max(1, end));
        long size = clamp(Math.round(config.deleteBatchSize() / perBlock), 1, MAX_BLOCKS_PER_BATCH);
        BlockRanges.withoutLockWaits(c, normal -> walkBlocks(c, s, counts, end, size, normal));
    }

    private void walkBlocks(Connection c, SweepSurvey.Survey s, Map<List<String>, long[]> counts, long end, long firstSize, String normalLockTimeout)
            throws SQLException {
        long size = firstSize;
        long from = 0;
        while (from < end && !pacer.shouldStop()) {
            pacer.waitForReplicas(c);
            long to = Math.min(end, from + size);
            hooks.afterSelect(List.of(), (int) (to - from));
            if (pacer.shouldStop()) {
                return;
            }
            long t0 = System.nanoTime();
            BlockRanges.Outcome outcome = s.blocks().delete(c, from, to, normalLockTimeout, cancelled);
            long took = System.nanoTime() - t0;
            longestBatchNanos = Math.max(longestBatchNanos, took);
            batches++;
            // Per scope, deletes are worked out from the backlog afterwards; rows skipped are known here.
            outcome.skipped().forEach((scope, n) -> counts.computeIfAbsent(scope, x -> new long[3])[2] += n);
            deleted += outcome.deleted();
            skipped += outcome.skippedRows();
            heldTries += outcome.heldTries();
            skipLockedBatches += outcome.skipLocked() ? 1 : 0;
            from = to;
            long found = outcome.deleted() + outcome.skippedRows();
            double next = found == 0 ? size * 2.0 : size * (double) config.deleteBatchSize() / found;
            if (took > BLOCK_BATCH_TARGET.toNanos()) {
                next = Math.min(next, size * (double) BLOCK_BATCH_TARGET.toNanos() / took);
            }
            size = clamp(Math.round(Math.max(size / 2.0, Math.min(size * 2.0, next))), 1, MAX_BLOCKS_PER_BATCH);
            pacer.progress(deleted, batches, skipped);
            pacer.throttle(deleted, deletingStarted);
        }
    }

    /** A range that takes longer than this is made smaller: a batch's locks must not outlive a writer's patience. */
    static final Duration BLOCK_BATCH_TARGET = Duration.ofMillis(100);
    static final long MAX_BLOCKS_PER_BATCH = 65_536;

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private List<List<String>> selectBatch(Connection c, TtlSql sql, List<String> range, List<String> cursor, java.util.Set<String> seen)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(cursor == null ? sql.selectFirst : sql.selectNext)) {
            int i = bindScope(ps, 1, range);
            if (cursor != null) {
                i = bindScope(ps, i, cursor);
                if (sql.byCtid) {
                    ps.setArray(i++, c.createArrayOf("text", seen.toArray(String[]::new)));
                }
            }
            ps.setInt(i, config.selectBatchSize());
            ps.setFetchSize(config.selectBatchSize());
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int k = 1; k <= n; k++) {
                        row.add(rs.getString(k));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    static int bindScope(PreparedStatement ps, int from, List<String> scope) throws SQLException {
        int i = from;
        for (String v : scope) {
            ps.setString(i++, v);
        }
        return i;
    }

    private static boolean lock(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TRY_LOCK)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection c, String table) {
        try (PreparedStatement ps = c.prepareStatement(UNLOCK)) {
            ps.setString(1, table);
            ps.execute();
        } catch (SQLException ignored) {
            // The session ends with the connection, and the lock with it.
        }
    }
}
