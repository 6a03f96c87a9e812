package io.pgrunbook.steps.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The session-level advisory lock that keeps two migrate runs apart. It is held on a connection of
 * its own that stays idle outside any transaction, so CREATE INDEX CONCURRENTLY (which waits for
 * every transaction older than itself) never waits for the lock's holder: a transaction-level lock
 * would deadlock it.
 */
final class MigrationLock {
    /** 'pgrb', the namespace of every pgrunbook advisory lock (see db.AdvisoryLock). */
    private static final int NAMESPACE = 0x70677262;
    private static final String TRY = "SELECT pg_try_advisory_lock(?, hashtext(?))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(?, hashtext(?))";
    private static final String HOLDER = """
            SELECT a.pid, a.usename, a.application_name, host(a.client_addr),
                   to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), a.state
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
               AND l.classid = (?::int4)::oid AND l.objid = (hashtext(?))::oid
             LIMIT 1""";

    private MigrationLock() {}

    static String name(SchemaHistory history) {
        return "pgrunbook:migrate:" + history.table();
    }

    /** Polls for the lock until wait runs out; then the run cannot go on (exit 3), naming the session that holds it. */
    static void acquire(Connection c, String name, Duration wait, java.util.function.BooleanSupplier cancelled) throws SQLException {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 50;
        while (true) {
            try (PreparedStatement ps = c.prepareStatement(TRY)) {
                ps.setInt(1, NAMESPACE);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline || cancelled.getAsBoolean()) {
                throw io.pgrunbook.error.PgRunbookException.cannotRun("another migrate run holds the migration lock '" + name + "': "
                        + holder(c, name) + "; waited " + wait.toMillis() + " ms. Wait for it to finish (or raise lock_wait) and run "
                        + "again; nothing was applied by this run");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the migration lock", "57014");
            }
            pause = Math.min(pause * 2, 500);
        }
    }

    static void release(Connection c, String name) {
        try (PreparedStatement ps = c.prepareStatement(UNLOCK)) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, name);
            ps.execute();
        } catch (SQLException ignored) {
            // A broken connection is dropped by the pool, and its session's locks go with it.
        }
    }

    private static String holder(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HOLDER)) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "a session that released it a moment ago";
                }
                return "session pid " + rs.getInt(1) + " (user " + rs.getString(2) + ", application '" + rs.getString(3) + "'"
                        + (rs.getString(4) == null ? "" : ", from " + rs.getString(4)) + ", connected since " + rs.getString(5) + ")";
            }
        }
    }
}
