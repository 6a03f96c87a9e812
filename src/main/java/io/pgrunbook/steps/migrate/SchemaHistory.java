package io.pgrunbook.steps.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The schema history table in the target: one row per version applied, baselined or failed. */
public final class SchemaHistory {
    private static final String CREATE = """
            CREATE TABLE IF NOT EXISTS %s (
                version        text PRIMARY KEY,
                description    text NOT NULL,
                kind           text NOT NULL CHECK (kind IN ('migration', 'baseline', 'repeatable')),
                checksum       text,
                transactional  boolean NOT NULL DEFAULT true,
                applied_by     text NOT NULL DEFAULT current_user,
                applied_at     timestamptz NOT NULL DEFAULT now(),
                execution_ms   bigint,
                success        boolean NOT NULL,
                error          text,
                out_of_order   boolean NOT NULL DEFAULT false
            )""";
    /** A history table made before repeatable and out-of-order migrations: it lacks the column and the third kind. */
    private static final String NEEDS_UPGRADE = "SELECT NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) "
            + "AND attname = 'out_of_order' AND NOT attisdropped)";
    private static final String KIND_CHECKS = "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?) AND contype = 'c' "
            + "AND pg_get_constraintdef(oid) LIKE '%kind%'";
    private static final String UPGRADE = "ALTER TABLE %s ADD COLUMN IF NOT EXISTS out_of_order boolean NOT NULL DEFAULT false, "
            + "ADD CONSTRAINT %s CHECK (kind IN ('migration', 'baseline', 'repeatable'))";
    private static final String DROP_CHECK = "ALTER TABLE %s DROP CONSTRAINT %s";
    private static final String EXISTS = "SELECT to_regclass(?) IS NOT NULL";
    private static final String SELECT = "SELECT version, description, kind, checksum, transactional, applied_by, "
            + "to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ'), execution_ms, success, error FROM %s";
    private static final String UPSERT = "INSERT INTO %s (version, description, kind, checksum, transactional, execution_ms, success, error"
            + ", out_of_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, "
            + "kind = EXCLUDED.kind, checksum = EXCLUDED.checksum, transactional = EXCLUDED.transactional, applied_by = current_user, "
            + "applied_at = now(), execution_ms = EXCLUDED.execution_ms, success = EXCLUDED.success, error = EXCLUDED.error, "
            + "out_of_order = EXCLUDED.out_of_order";
    private static final String DELETE = "DELETE FROM %s WHERE version = ?";
    private static final String SET_CHECKSUM = "UPDATE %s SET checksum = ? WHERE version = ?";

    public record Row(String version, String description, String kind, String checksum, boolean transactional, String appliedBy,
                      String appliedAt, Long executionMs, boolean success, String error) {}

    private final String table;
    /** Versions this run applies below the highest applied one (--out-of-order), recorded as such. */
    private java.util.Set<String> outOfOrder = java.util.Set.of();

    /** @param table a schema-qualified name, quoted already */
    public SchemaHistory(String schema, String name) {
        this.table = quoteIdent(schema) + "." + quoteIdent(name);
    }

    public String table() {
        return table;
    }

    public void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(CREATE.formatted(table));
        }
        if (queryBoolean(c, NEEDS_UPGRADE)) {
            List<String> checks = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(KIND_CHECKS)) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        checks.add(rs.getString(1));
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                for (String name : checks) {
                    st.execute(DROP_CHECK.formatted(table, quoteIdent(name)));
                }
                st.execute(UPGRADE.formatted(table, quoteIdent("pgrunbook_history_kind_check")));
            }
        }
    }

    /** Marks these versions, when this run records them, as applied out of order. */
    public void outOfOrder(List<String> versions) {
        this.outOfOrder = java.util.Set.copyOf(versions);
    }

    private boolean queryBoolean(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    public boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXISTS)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    public List<Row> read(Connection c) throws SQLException {
        List<Row> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT.formatted(table)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long ms = rs.getLong(8);
                out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                        rs.getString(6), rs.getString(7), rs.wasNull() ? null : ms, rs.getBoolean(9), rs.getString(10)));
            }
        }
        out.sort((a, b) -> Migration.compareVersions(a.version(), b.version()));
        return out;
    }

    public void record(Connection c, Migration m, String kind, boolean transactional, Long ms, boolean success, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT.formatted(table))) {
            ps.setString(1, m.version());
            ps.setString(2, m.description());
            ps.setString(3, kind);
            ps.setString(4, m.checksum());
            ps.setBoolean(5, transactional);
            if (ms == null) {
                ps.setNull(6, java.sql.Types.BIGINT);
            } else {
                ps.setLong(6, ms);
            }
            ps.setBoolean(7, success);
            ps.setString(8, error);
            ps.setBoolean(9, outOfOrder.contains(m.version()));
            ps.executeUpdate();
        }
    }

    public void delete(Connection c, String version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE.formatted(table))) {
            ps.setString(1, version);
            ps.executeUpdate();
        }
    }

    public void setChecksum(Connection c, String version, String checksum) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SET_CHECKSUM.formatted(table))) {
            ps.setString(1, checksum);
            ps.setString(2, version);
            ps.executeUpdate();
        }
    }

    static String quoteIdent(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
