package io.pgrunbook.steps.restore;

import io.pgrunbook.db.AdvisoryLock;
import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.error.PgRunbookException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database a restore writes into, on the step's target server: perhaps not the one the target
 * connects to (a new database is created from the target's own). Every connection here is opened
 * for this database with the target's settings.
 */
final class TargetDatabase {
    /** The comment a database carries while pgrunbook restores into it, so a rerun after a kill knows it. */
    static final String MARKER = "pgrunbook restore in progress from backup ";

    private final ConnectionSpec spec;
    private final String name;

    TargetDatabase(ConnectionSpec spec, String name) {
        this.spec = spec;
        this.name = name;
    }

    String name() {
        return name;
    }

    ConnectionSpec spec() {
        return spec;
    }

    /** The target's JDBC URL with this database instead of its own (host, port and parameters kept). */
    String url() {
        String url = spec.jdbcUrl();
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + (query < 0 ? "" : url.substring(query));
    }

    /** The target as a URI naming this database, for commands in messages; never a password. */
    String display() {
        String d = spec.display();
        int slash = d.indexOf('/', "postgresql://".length());
        int query = d.indexOf('?', slash);
        return d.substring(0, slash + 1) + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + (query < 0 ? "" : d.substring(query));
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), spec.properties());
    }

    /** Connects to the target's own database (for CREATE DATABASE and the lock), whatever this one is. */
    Connection connectServer() throws SQLException {
        return DriverManager.getConnection(spec.jdbcUrl(), spec.properties());
    }

    boolean exists() throws SQLException {
        try (Connection c = connectServer(); PreparedStatement ps = c.prepareStatement(RestoreSql.DATABASE_EXISTS)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * One restore per target database at a time: an advisory lock on its own connection to the
     * target's database (held in a transaction behind a pooler that shares sessions, as db.AdvisoryLock
     * does it), released when the restore ends or its process dies.
     */
    AdvisoryLock lock(boolean sessionsShared) throws SQLException {
        AdvisoryLock.Result r = AdvisoryLock.tryAcquire(connectServer(), "pgrunbook:restore:" + name, sessionsShared);
        if (r.lock().isEmpty()) {
            throw PgRunbookException.cannotRun("another restore into database " + name + " is running: " + r.heldBy()
                    + "; wait for it to finish");
        }
        return r.lock().get();
    }

    void create(String backupName) throws SQLException {
        try (Connection c = connectServer(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + quote(c, RestoreSql.QUOTE_IDENT, name));
        }
        mark(backupName);
    }

    /** Marks the database as being restored from a backup (its comment); {@code null} clears the mark. */
    void mark(String backupName) throws SQLException {
        try (Connection c = connectServer(); Statement st = c.createStatement()) {
            st.execute("COMMENT ON DATABASE " + quote(c, RestoreSql.QUOTE_IDENT, name) + " IS "
                    + (backupName == null ? "NULL" : quote(c, RestoreSql.QUOTE_LITERAL, MARKER + backupName)));
        }
    }

    /** The backup an interrupted pgrunbook restore into this database was restoring, if any. */
    String interruptedRestore() throws SQLException {
        try (Connection c = connectServer(); PreparedStatement ps = c.prepareStatement(RestoreSql.DATABASE_COMMENT)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                String comment = rs.next() ? rs.getString(1) : null;
                return comment != null && comment.startsWith(MARKER) ? comment.substring(MARKER.length()) : null;
            }
        }
    }

    void drop() throws SQLException {
        try (Connection c = connectServer(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + quote(c, RestoreSql.QUOTE_IDENT, name) + " WITH (FORCE)");
        }
    }

    /** Every user table with its exact row count. */
    Map<String, Long> tableRows() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = connect()) {
            List<String[]> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(RestoreSql.USER_TABLES); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] t : tables) {
                out.put(t[0] + "." + t[1], count(c, t[0], t[1], null, null));
            }
        }
        return out;
    }

    /** Rows of a table, or of one tenant in it; -1 when the table does not exist. */
    static long count(Connection c, String schema, String table, String tenantColumn, String tenant) throws SQLException {
        String sql = tenantColumn == null ? format(c, RestoreSql.COUNT_ROWS, schema, table)
                : format(c, RestoreSql.COUNT_TENANT_ROWS, schema, table, tenantColumn, tenant);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return -1;
            }
            throw e;
        }
    }

    static String quote(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** A statement the server builds with format(): identifiers by %I, values by %L, from bind parameters. */
    static String format(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
