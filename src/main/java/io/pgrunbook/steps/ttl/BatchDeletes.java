package io.pgrunbook.steps.ttl;

import io.pgrunbook.db.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The delete of one batch of selected rows, in one transaction: a plain DELETE that does not wait
 * for a row lock, then, when a row is held, the same batch again with SKIP LOCKED. Counts how often
 * that second statement was needed; choosing and re-checking rows is TtlSweeper's.
 */
final class BatchDeletes {
    private final BooleanSupplier cancelled;
    /** The ctid deletes of this sweep's table (one sweep, one table). */
    private CtidDeletes ctidDeletes;
    private long heldTries;
    private long skipLockedBatches;

    BatchDeletes(BooleanSupplier cancelled) {
        this.cancelled = cancelled;
    }

    long heldTries() {
        return heldTries;
    }

    long skipLockedBatches() {
        return skipLockedBatches;
    }

    /**
     * What a delete batch did to its rows: by row (ctid tables, whose statements return the ctids
     * they locked and deleted) or by count (key tables on Citus).
     */
    record Outcome(java.util.Set<String> deletedIds, java.util.Set<String> lockedIds, List<List<String>> chunk,
            long deletedCount, long skippedCount, Map<List<String>, Long> deletedByScope) {
        Outcome(java.util.Set<String> deletedIds, java.util.Set<String> lockedIds, List<List<String>> chunk, long deletedCount,
                long skippedCount) {
            this(deletedIds, lockedIds, chunk, deletedCount, skippedCount, null);
        }

        /** The direct delete of a ctid batch: rows deleted per scope (empty scope: within the range's one scope); it skips nothing. */
        static Outcome byScope(Map<List<String>, Long> deleted, List<List<String>> chunk) {
            return new Outcome(null, null, chunk, deleted.values().stream().mapToLong(Long::longValue).sum(), 0, deleted);
        }

        boolean byCount() {
            return deletedIds == null;
        }

        boolean deleted(int r) {
            return deletedIds != null && deletedIds.contains(chunk.get(r).get(0));
        }

        /** Held by another session: not locked by the SKIP LOCKED statement (a direct delete skips nothing). */
        boolean skipped(int r) {
            return lockedIds != null && !lockedIds.contains(chunk.get(r).get(0));
        }
    }

    /**
     * One batch, one transaction. First a plain DELETE that may not wait for any row lock
     * (lock_timeout 1 ms); when a row is held by someone, that attempt rolls back and the batch runs
     * again locking with SKIP LOCKED, which tells what it skipped. Locking every row first would
     * double the work (a WAL record and a dirty page per row) for the rare batch that meets a held row.
     */
    Outcome deleteBatch(Connection c, TtlSql sql, List<String> range, List<List<String>> chunk) throws SQLException {
        Outcome direct = deleteDirect(c, sql, range, chunk);
        if (direct != null) {
            return direct;
        }
        heldTries++;
        skipLockedBatches++;
        return sql.byCtid ? deleteByCtid(c, sql, range, chunk) : deleteByKey(c, sql, range, chunk);
    }

    private Outcome deleteDirect(Connection c, TtlSql sql, List<String> range, List<List<String>> chunk) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement(TtlSweeper.NO_LOCK_WAIT)) {
                ps.execute();
            }
            Outcome outcome;
            if (sql.byCtid) {
                outcome = Outcome.byScope(ctidDeletes(sql).direct(c, range, rowIds(chunk)), chunk);
            } else {
                try (PreparedStatement ps = c.prepareStatement(sql.deleteDirect)) {
                    bindKeys(c, ps, TtlSweeper.bindScope(ps, 1, range), sql, chunk);
                    outcome = new Outcome(null, null, chunk, ps.executeUpdate(), 0);
                }
            }
            c.commit();
            return outcome;
        } catch (SQLException e) {
            c.rollback();
            if (SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !cancelled.getAsBoolean()) {
                return null;
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static int bindKeys(Connection c, PreparedStatement ps, int from, TtlSql sql, List<List<String>> chunk) throws SQLException {
        int i = from;
        for (int k = 0; k < sql.keyArity(); k++) {
            String[] values = new String[chunk.size()];
            for (int r = 0; r < chunk.size(); r++) {
                values[r] = chunk.get(r).get(k);
            }
            ps.setArray(i++, c.createArrayOf("text", values));
        }
        return i;
    }

    private Outcome deleteByKey(Connection c, TtlSql sql, List<String> range, List<List<String>> chunk) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.delete)) {
            int i = bindKeys(c, ps, 1, sql, chunk);
            // The scope's values bind twice: once for "locked", once for "deleted".
            i = TtlSweeper.bindScope(ps, i, range);
            TtlSweeper.bindScope(ps, i, range);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Outcome(null, null, chunk, rs.getLong(2), chunk.size() - rs.getLong(1));
            }
        }
    }

    private Outcome deleteByCtid(Connection c, TtlSql sql, List<String> range, List<List<String>> chunk) throws SQLException {
        CtidDeletes.Locked l = ctidDeletes(sql).skipLocked(c, range, rowIds(chunk));
        return new Outcome(l.deleted(), l.locked(), chunk, 0, 0);
    }

    private CtidDeletes ctidDeletes(TtlSql sql) {
        if (ctidDeletes == null) {
            ctidDeletes = new CtidDeletes(sql);
        }
        return ctidDeletes;
    }

    private static List<String> rowIds(List<List<String>> chunk) {
        return chunk.stream().map(r -> r.get(0)).toList();
    }
}
