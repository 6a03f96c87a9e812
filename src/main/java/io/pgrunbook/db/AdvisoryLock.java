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
 */
public final class AdvisoryLock implements AutoCloseable {
    /** The first key of the two-key form: 'pgrb', so pgrunbook's locks never collide with an application's one-key locks. */
    static final int NAMESPACE = 0x70677262;
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(?))";
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

    private AdvisoryLock(Connection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    /** Takes the lock, or returns who holds it; the connection is closed when the lock is not taken. */
    public static Result tryAcquire(Connection connection, String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(TRY_LOCK)) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return new Result(Optional.of(new AdvisoryLock(connection, name)), null);
                }
            }
            String holder = holder(connection, name);
            connection.close();
            return new Result(Optional.empty(), holder);
        }
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
