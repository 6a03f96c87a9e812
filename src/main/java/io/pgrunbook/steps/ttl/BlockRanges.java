package io.pgrunbook.steps.ttl;

import io.pgrunbook.db.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The sweep in the heap's physical order: each batch deletes the rows still expired in one range of
 * blocks ({@code ctid >= '(b,0)' AND ctid < '(e,0)'}, a TID range scan, PostgreSQL 14+), in its
 * own transaction. When half the table has expired, finding the rows through the expiry index costs
 * a random heap visit per row; reading the heap in order, as a single DELETE would, costs one
 * sequential pass, and each batch still waits for no row lock and re-checks the expiry at delete time.
 */
final class BlockRanges {
    static final String BLOCKS = "SELECT pg_relation_size(?::int8::oid) / current_setting('block_size')::int8";

    /** Deletes the range's expired rows; its row count is all a batch needs to return. */
    final String deleteDirect;
    /** The same range again when a row is held: lock what can be locked, delete those, count the rest per scope. */
    final String deleteSkipLocked;

    private final List<String> scopes;

    BlockRanges(TtlTable table, TtlConfig config) {
        String t = table.qualifiedName();
        String expiry = config.expirySql();
        String range = "ctid >= CAST(? AS tid) AND ctid < CAST(? AS tid)";
        String expired = expiry + " IS NOT NULL AND " + config.stillExpired("statement_timestamp()");
        scopes = config.scopeColumns();
        String cols = scopes.stream().map(TtlTable::quote).collect(Collectors.joining(", "));
        String returning = cols.isEmpty() ? "1" : cols;
        deleteDirect = "DELETE FROM " + t + " WHERE " + range + " AND " + expired;
        deleteSkipLocked = "WITH locked AS (SELECT ctid FROM " + t + " WHERE " + range + " AND " + expired + " FOR UPDATE SKIP LOCKED),\n"
                + "gone AS (DELETE FROM " + t + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM locked)) AND " + expired
                + " RETURNING " + returning + "),\n"
                + "held AS (SELECT " + returning + " FROM " + t + " WHERE " + range + " AND " + expired
                + " AND NOT (ctid = ANY(ARRAY(SELECT ctid FROM locked))))\n"
                + countBy("'deleted', ", "gone") + "\nUNION ALL\n" + countBy("'skipped', ", "held");
    }

    /** Rows per scope of a CTE, each row [label?, scope values..., count]; one row without scopes. */
    private String countBy(String label, String cte) {
        String cols = scopes.stream().map(TtlTable::quote).collect(Collectors.joining(", "));
        String texts = scopes.stream().map(c -> TtlTable.quote(c) + "::text, ").collect(Collectors.joining());
        return "SELECT " + label + texts + "count(*) FROM " + cte + (cols.isEmpty() ? "" : " GROUP BY " + cols);
    }

    /** What one range did: rows deleted, and per scope the rows skipped because someone held them. */
    record Outcome(long deleted, Map<List<String>, Long> skipped, int heldTries, boolean skipLocked) {
        long skippedRows() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final String SHAPE = "SELECT relkind = 'p' OR relhassubclass, greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = ?::int8::oid";

    /**
     * @param partitioned   partitions or inheritance children: each heap's blocks start at 0, so a block range is not one place
     * @param estimatedRows the planner's row estimate (pg_class.reltuples)
     */
    record Shape(boolean partitioned, long estimatedRows) {}

    static Shape shape(Connection c, TtlTable table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SHAPE)) {
            ps.setLong(1, table.oid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Shape(rs.getBoolean(1), rs.getLong(2));
            }
        }
    }

    static long blocks(Connection c, TtlTable table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BLOCKS)) {
            ps.setLong(1, table.oid());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static final String LOCK_TIMEOUT = "SELECT current_setting('lock_timeout')";
    /** Direct attempts at a range before it runs with SKIP LOCKED. */
    static final int DIRECT_TRIES = 3;
    static final String SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', ?, false)";

    /**
     * Runs {@code walk} with the session's lock_timeout at 1 ms, so that each range's DELETE is one
     * autocommit statement, one round trip, that waits for no row lock; restores it afterwards.
     * The connection must be in autocommit mode.
     */
    static void withoutLockWaits(Connection c, Walk walk) throws SQLException {
        String normal;
        try (PreparedStatement ps = c.prepareStatement(LOCK_TIMEOUT); ResultSet rs = ps.executeQuery()) {
            rs.next();
            normal = rs.getString(1);
        }
        setLockTimeout(c, "1ms");
        try {
            walk.run(normal);
        } finally {
            setLockTimeout(c, normal);
        }
    }

    /** The block walk, given the session's usual lock_timeout (for the SKIP LOCKED statement). */
    interface Walk {
        void run(String normalLockTimeout) throws SQLException;
    }

    private static void setLockTimeout(Connection c, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SET_LOCK_TIMEOUT)) {
            ps.setString(1, value);
            ps.execute();
        }
    }

    /**
     * Blocks [from, to) in one transaction: first a DELETE that may not wait for any row lock (inside
     * {@link #withoutLockWaits}); if a row is held, that statement fails, deleting nothing, and the
     * range runs again with SKIP LOCKED under the usual lock_timeout (which then only bounds waits for
     * DDL: skipped rows are not waited for).
     */
    Outcome delete(Connection c, long from, long to, String normalLockTimeout, BooleanSupplier cancelled) throws SQLException {
        // An application holds a row for microseconds, and a busy machine can stretch that past 1 ms:
        // trying again is far cheaper than locking the whole range; a row held longer is skipped.
        for (int tries = 0; tries < DIRECT_TRIES; tries++) {
            try (PreparedStatement ps = c.prepareStatement(deleteDirect)) {
                bindRange(ps, 1, from, to);
                return new Outcome(ps.executeUpdate(), Map.of(), tries, false);
            } catch (SQLException e) {
                if (!SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || cancelled.getAsBoolean()) {
                    throw e;
                }
            }
        }
        Map<List<String>, Long> gone = new LinkedHashMap<>();
        Map<List<String>, Long> held = new LinkedHashMap<>();
        setLockTimeout(c, normalLockTimeout);
        try (PreparedStatement ps = c.prepareStatement(deleteSkipLocked)) {
            int i = bindRange(ps, 1, from, to);
            bindRange(ps, i, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    put("deleted".equals(rs.getString(1)) ? gone : held, rs, 2);
                }
            }
        } finally {
            setLockTimeout(c, "1ms");
        }
        return new Outcome(gone.values().stream().mapToLong(Long::longValue).sum(), held, DIRECT_TRIES, true);
    }

    private void put(Map<List<String>, Long> into, ResultSet rs, int first) throws SQLException {
        List<String> scope = new ArrayList<>(scopes.size());
        for (int k = 0; k < scopes.size(); k++) {
            scope.add(rs.getString(first + k));
        }
        long n = rs.getLong(first + scopes.size());
        if (n > 0) {
            into.merge(List.copyOf(scope), n, Long::sum);
        }
    }

    static int bindRange(PreparedStatement ps, int from, long firstBlock, long endBlock) throws SQLException {
        ps.setString(from, "(" + firstBlock + ",0)");
        ps.setString(from + 1, "(" + endBlock + ",0)");
        return from + 2;
    }
}
