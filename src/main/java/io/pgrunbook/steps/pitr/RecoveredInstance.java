package io.pgrunbook.steps.pitr;

import io.pgrunbook.db.Sandbox;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/** The drill's recovering instance, reached over JDBC: waiting for its promotion, then the user's checks and amcheck. */
final class RecoveredInstance {
    static final String STATE_SQL = "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, (SELECT timeline_id FROM pg_control_checkpoint())";
    static final String AMCHECK_AVAILABLE_SQL = "SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'";
    static final String CREATE_AMCHECK_SQL = "CREATE EXTENSION IF NOT EXISTS amcheck";
    static final String BTREE_INDEXES_SQL = "SELECT c.oid, c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't' ORDER BY 2";
    static final String BT_INDEX_CHECK_SQL = "SELECT bt_index_check(?::oid)";
    private static final int CHECK_TIMEOUT_SECONDS = 600;

    private final Sandbox sandbox;
    private final String user;
    private final String database;

    RecoveredInstance(Sandbox sandbox, String user, String database) {
        this.sandbox = sandbox;
        this.user = user;
        this.database = database;
    }

    /** @param why when not promoted: still recovering at the deadline, or the server stopped */
    record Result(boolean promoted, String replayLsn, int timeline, String why) {}

    record Amcheck(boolean ok, String summary) {}

    Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("connectTimeout", "10");
        p.setProperty("ApplicationName", "pgrunbook-drill");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sandbox.port() + "/" + db, p);
    }

    /** Polls until the instance has left recovery (promoted), the server stops, or the deadline passes. */
    Result awaitPromotion(Instant deadline, BooleanSupplier cancelled) throws InterruptedException {
        String lastError = null;
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw new InterruptedException("the drill was interrupted");
            }
            try (Connection c = connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(STATE_SQL)) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new Result(true, rs.getString(2), rs.getInt(3), null);
                }
            } catch (SQLException e) {
                lastError = e.getMessage();
                if (!sandbox.isRunning()) {
                    return new Result(false, null, 0, "the server stopped during recovery");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                return new Result(false, null, 0, "still recovering when the RTO limit ran out" + (lastError == null ? "" : " (" + lastError + ")"));
            }
            Thread.sleep(100);
        }
    }

    /** Runs a user's check in the drill database: null when its first value is true, else what it returned. */
    String check(String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.setQueryTimeout(CHECK_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return "returned no row";
                }
                Object v = rs.getObject(1);
                return Boolean.TRUE.equals(v) ? null : "returned " + v;
            }
        } catch (SQLException e) {
            return "failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
        }
    }

    /** bt_index_check on every valid B-tree index of the drill database, when amcheck is installed here. */
    Amcheck amcheck() {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(AMCHECK_AVAILABLE_SQL)) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return new Amcheck(true, "skipped: amcheck is not installed on this host (postgresql-contrib)");
                }
            }
            s.execute(CREATE_AMCHECK_SQL);
            List<String> bad = new ArrayList<>();
            int checked = 0;
            List<Object[]> indexes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(BTREE_INDEXES_SQL)) {
                while (rs.next()) {
                    indexes.add(new Object[] {rs.getLong(1), rs.getString(2)});
                }
            }
            try (PreparedStatement ps = c.prepareStatement(BT_INDEX_CHECK_SQL)) {
                ps.setQueryTimeout(CHECK_TIMEOUT_SECONDS);
                for (Object[] index : indexes) {
                    ps.setLong(1, (Long) index[0]);
                    try {
                        ps.execute();
                        checked++;
                    } catch (SQLException e) {
                        bad.add(index[1] + ": " + e.getMessage());
                    }
                }
            }
            return bad.isEmpty() ? new Amcheck(true, checked + " B-tree indexes of " + database + " pass bt_index_check")
                    : new Amcheck(false, bad.size() + " of " + indexes.size() + " indexes fail bt_index_check: " + String.join("; ", bad));
        } catch (SQLException e) {
            return new Amcheck(false, "amcheck could not run: " + e.getMessage());
        }
    }
}
