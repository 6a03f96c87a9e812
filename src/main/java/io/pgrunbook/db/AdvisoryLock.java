package io.pgrunbook.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A session-level advisory lock keyed by a name, held on its own connection for as long as the
 * run lasts so two runs of the same runbook never overlap. Closing the connection releases it, so a
 * killed run never leaves the lock behind.
 *
 * <p>Behind a pooler that shares server sessions (transaction pooling), a session lock would stay on
 * a server connection the pooler hands to other clients once ours is idle: the lock outlives the
 * run and excludes nobody in particular. There the lock is transaction-level instead, taken inside a
 * transaction held open on a dedicated connection for the whole run, which pins one server
 * connection to us; rolling back (or a dropped connection) releases it. The transaction takes no
 * snapshot after its one statement (READ COMMITTED), so VACUUM and CREATE INDEX CONCURRENTLY do not
 * wait for it, and its idle_in_transaction_session_timeout is switched off for it alone.
 */
public final class AdvisoryLock implements AutoCloseable {
    /** The first key of the two-key form: 'pgrb', so pgrunbook's locks never collide with an application's one-key locks. */
    static final int NAMESPACE = 0x70677262;
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(?))";
    private static final String TRY_XACT_LOCK = "SELECT pg_try_advisory_xact_lock(?, hashtext(?))";
    private static final String NO_IDLE_TIMEOUT = "SELECT set_config('idle_in_transaction_session_timeout', '0', true)";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(?, hashtext(?))";
    private static final String HOLDER = """
            SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client,
                   to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since
              FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
               AND l.classid = (?::int4)::oid AND l.objid = (hashtext(?))::oid
             LIMIT 1""";

    private final Connection connection;
    private final String name;
    private final boolean inTransaction;

    private AdvisoryLock(Connection connection, String name, boolean inTransaction) {
        this.connection = connection;
        this.name = name;
        this.inTransaction = inTransaction;
    }

    /**
     * Takes the lock on a dedicated connection to the target, session-level on a direct connection,
     * inside a held transaction behind a pooler that shares sessions; or returns who holds it.
     */
    public static Result tryAcquire(TargetPool target, String name) throws SQLException {
        return tryAcquire(target.dedicatedConnection(), name, target.pooler().sessionsShared());
    }

    /**
     * As {@link #tryAcquire(TargetPool, String)} on a connection the caller opened (to another
     * database of the target's server, say): session-level unless a pooler shares sessions.
     */
    public static Result tryAcquire(Connection connection, String name, boolean sessionsShared) throws SQLException {
        if (!sessionsShared) {
            return tryAcquire(connection, name);
        }
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement off = connection.prepareStatement(NO_IDLE_TIMEOUT)) {
                off.execute();
            }
            return take(connection, TRY_XACT_LOCK, name, true);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Takes the lock, or returns who holds it; the connection is closed when the lock is not taken. */
    public static Result tryAcquire(Connection connection, String name) throws SQLException {
        return take(connection, TRY_LOCK, name, false);
    }

    private static Result take(Connection connection, String trySql, String name, boolean inTransaction) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(trySql)) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return new Result(Optional.of(new AdvisoryLock(connection, name, inTransaction)), null);
                }
            }
        }
        String holder = holder(connection, name);
        connection.close();
        return new Result(Optional.empty(), holder);
    }

    private static String holder(Connection connection, String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLDER)) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "another session (it released the lock a moment ago; try again)";
                }
                return "pid " + rs.getInt("pid") + " (user " + rs.getString("usename")
                        + ", application '" + rs.getString("application_name") + "'"
                        + (rs.getString("client") == null ? "" : ", from " + rs.getString("client"))
                        + ", connected since " + rs.getString("since") + ")";
            }
        }
    }

    @Override
    public void close() {
        try (connection) {
            if (inTransaction) {
                connection.rollback();
                return;
            }
            try (PreparedStatement ps = connection.prepareStatement(UNLOCK)) {
                ps.setInt(1, NAMESPACE);
                ps.setString(2, name);
                ps.execute();
            }
        } catch (SQLException ignored) {
            // The connection is closing anyway, and closing it releases the lock.
        }
    }

    /** Either the lock, or a description of the session that holds it. */
    public record Result(Optional<AdvisoryLock> lock, String heldBy) {}
}
