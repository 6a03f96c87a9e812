package io.pgrunbook.steps.shardmove;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The change-capture trigger on a source shard: every insert, update and delete on a move's table
 * logs the row's key (both keys when an update changes it) into {@code pgrunbook.shard_move_log},
 * so the catch-up re-copies exactly the keys written to since the copy read them, deletes included.
 * At cutover the moving keys are put into {@code pgrunbook.shard_move_frozen}, and the same trigger
 * then refuses writes to them (SQLSTATE 55000) instead of letting a write land where it would be lost.
 */
final class ChangeCapture {
    /** Log rows read per drain pass. */
    private static final int LOG_PAGE = 20_000;

    private ChangeCapture() {}

    /** Installs (or reinstalls) the log, the frozen-key table, the function and one trigger per table. */
    static void install(StepContext source, MoveConfig config) throws SQLException {
        retrying(source, c -> {
            lockTables(c, config);
            try (Statement st = c.createStatement()) {
                st.execute(MoveSql.CAPTURE_SCHEMA);
            }
            for (Map.Entry<String, String> t : config.tables().entrySet()) {
                execBuilt(c, MoveSql.TRIGGER_DDL, t.getValue(), t.getKey());
            }
            return null;
        });
    }

    /**
     * Takes every table's lock at once, parents first as applications write them, so that installing
     * the triggers never deadlocks with a transaction writing a parent and then its children; a
     * deadlock or lock timeout anyway (another order of writes) is retried.
     */
    private static void lockTables(Connection c, MoveConfig config) throws SQLException {
        List<String> relations = new ArrayList<>();
        for (String table : config.tables().keySet()) {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.RELATION)) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        relations.add(rs.getString(1));
                    }
                }
            }
        }
        if (!relations.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("LOCK TABLE " + String.join(", ", relations) + " IN SHARE ROW EXCLUSIVE MODE");
            }
        }
    }

    private static <T> T retrying(StepContext source, io.pgrunbook.engine.SqlWork<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Tx.write(source, work);
            } catch (SQLException e) {
                SqlStates.Kind kind = SqlStates.kind(e);
                if (attempt >= 5 || (kind != SqlStates.Kind.DEADLOCK && !SqlStates.LOCK_NOT_AVAILABLE.equals(SqlStates.state(e)))) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static boolean installed(StepContext source) throws SQLException {
        return source.inTransaction(true, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MoveSql.CAPTURE_INSTALLED)) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    /** Drops the triggers first (writes stop being logged or refused), then the log, the frozen keys and the function. */
    static void remove(StepContext source, MoveConfig config) throws SQLException {
        retrying(source, c -> {
            lockTables(c, config);
            for (String table : config.tables().keySet()) {
                execBuilt(c, MoveSql.DROP_TRIGGER_DDL, table);
            }
            try (Statement st = c.createStatement()) {
                st.execute(MoveSql.DROP_CAPTURE);
            }
            return null;
        });
    }

    /** One page of the log: entry ids and the distinct keys they name. */
    record Page(List<Long> ids, Set<String> keys) {}

    static Page read(StepContext source) throws SQLException {
        if (!installed(source)) {
            return new Page(List.of(), Set.of());
        }
        return source.inTransaction(true, c -> {
            List<Long> ids = new ArrayList<>();
            Set<String> keys = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement(MoveSql.READ_LOG)) {
                ps.setInt(1, LOG_PAGE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        keys.add(rs.getString(2));
                    }
                }
            }
            return new Page(ids, keys);
        });
    }

    /**
     * Forgets the entries read. By id, never by range: an entry of a transaction that committed after
     * the page was read may have a smaller id, and must stay for the next pass.
     */
    static void forget(StepContext source, List<Long> ids) throws SQLException {
        Tx.write(source, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.DELETE_LOG)) {
                ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    static long backlog(StepContext source) throws SQLException {
        return source.inTransaction(true, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MoveSql.LOG_BACKLOG)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static void freeze(StepContext source, Collection<String> keys) throws SQLException {
        if (!installed(source)) {
            return; // a resumed cleanup already removed it here, after deleting the moved rows
        }
        Tx.write(source, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.FREEZE)) {
                ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    static Set<String> frozen(StepContext source) throws SQLException {
        if (!installed(source)) {
            return Set.of();
        }
        return source.inTransaction(true, c -> {
            Set<String> keys = new LinkedHashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MoveSql.FROZEN)) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        });
    }

    /** Runs DDL the server built with format(): names quoted by the server, never by us. */
    private static void execBuilt(Connection c, String builder, String... params) throws SQLException {
        String ddl;
        try (PreparedStatement ps = c.prepareStatement(builder)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                ddl = rs.getString(1);
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute(ddl);
        }
    }
}
