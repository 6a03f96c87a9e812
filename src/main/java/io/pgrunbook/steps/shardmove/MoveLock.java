package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The session advisory lock on the new shard that keeps two runs (or a run and a cancel) of a move
 * apart. It is held on a pooled connection for the whole work; a killed run's session ends and
 * releases it.
 */
final class MoveLock {
    /** The two-key form with pgrunbook's namespace ('pgrb', as io.pgrunbook.db.AdvisoryLock), so no application lock collides. */
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(x'70677262'::int, hashtext('pgrunbook:shard-move'))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(x'70677262'::int, hashtext('pgrunbook:shard-move'))";
    private static final String HOLDER = """
            SELECT a.pid, a.usename, a.application_name, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.classid = (x'70677262'::int)::oid AND l.objid = (hashtext('pgrunbook:shard-move'))::oid LIMIT 1""";

    interface Work<T> {
        T run() throws SQLException;
    }

    private MoveLock() {}

    static <T> T holding(StepContext target, Work<T> work) throws SQLException {
        return target.withoutTransaction(c -> {
            if (!bool(c, TRY_LOCK)) {
                throw new PgRunbookException(ExitCode.CANNOT_RUN, "another shard-move is working on " + target.targetName()
                        + " (" + holder(c) + "); wait for it to finish (shard-move status), or stop that process first");
            }
            try {
                return work.run();
            } finally {
                try {
                    bool(c, UNLOCK);
                } catch (SQLException ignored) {
                    // A broken connection is evicted by the pool; its session's end releases the lock.
                }
            }
        });
    }

    private static String holder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HOLDER); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return "it released the lock a moment ago; try again";
            }
            return "pid " + rs.getInt(1) + ", user " + rs.getString(2) + ", application '" + rs.getString(3) + "', connected since " + rs.getString(4);
        }
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
