package io.pgrunbook.steps.ttl;

import io.pgrunbook.error.Suggest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The swept table as the catalog describes it: its quoted name, column types, the key that
 * identifies a row inside one scope, and its Citus distribution column if it has one. Every
 * identifier the sweep's SQL contains was checked here first.
 *
 * @param keyColumns the primary key columns that are not scope columns, which address a row on a
 *                   Citus shard; a plain table's rows are addressed by ctid (no index descent per row)
 */
record TtlTable(
        long oid,
        String qualifiedName,
        Map<String, String> columnTypes,
        List<String> keyColumns,
        String expiryType,
        String distributionColumn,
        boolean hasChildren) {

    /** relhassubclass: partitions or inheritance children (it may stay true after the last child is dropped, which costs nothing). */
    static final String FIND_TABLE = "SELECT c.oid::int8, c.oid::regclass::text, c.relkind::text, c.relkind = 'p' OR c.relhassubclass "
            + "FROM pg_class c WHERE c.oid = to_regclass(?)";
    static final String COLUMNS = """
            SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
             WHERE attrelid = ?::int8::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum""";
    static final String PRIMARY_KEY = """
            SELECT a.attname FROM pg_index i
              CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = ?::int8::oid AND i.indisprimary ORDER BY k.ord""";
    static final String HAS_CITUS = "SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL";
    static final String DISTRIBUTION_COLUMN = """
            SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition
             WHERE logicalrelid = ?::int8::oid AND partmethod = 'h'""";
    static final Set<String> EXPIRY_TYPES = Set.of("timestamptz", "timestamp", "date");

    static TtlTable inspect(Connection c, TtlConfig config) throws SQLException {
        long oid;
        String qualified;
        boolean children;
        try (PreparedStatement ps = c.prepareStatement(FIND_TABLE)) {
            ps.setString(1, config.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new TtlConfigException("table '" + config.table() + "' does not exist (or is not on the search_path of this "
                            + "connection); give it as schema.table");
                }
                oid = rs.getLong(1);
                qualified = rs.getString(2);
                children = rs.getBoolean(4);
                if (!Set.of("r", "p").contains(rs.getString(3))) {
                    throw new TtlConfigException("'" + config.table() + "' is not a table (relkind " + rs.getString(3) + ")");
                }
            }
        }
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        List<String> named = new ArrayList<>(config.scopeColumns());
        named.addAll(config.scopeFilter().keySet());
        if (config.expiryColumn() != null) {
            named.add(config.expiryColumn());
        }
        for (String column : named) {
            if (!types.containsKey(column)) {
                throw new TtlConfigException("table " + qualified + " has no column '" + column + "'" + Suggest.hint(column, types.keySet()));
            }
        }
        for (String column : config.scopeFilter().keySet()) {
            if (!config.scopeColumns().contains(column)) {
                throw new TtlConfigException("scope value given for '" + column + "', which is not one of the scope columns "
                        + config.scopeColumns());
            }
        }
        String expiryType = expiryType(c, qualified, config);
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PRIMARY_KEY)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!config.scopeColumns().contains(rs.getString(1))) {
                        key.add(rs.getString(1));
                    }
                }
            }
        }
        String distribution = distributionColumn(c, oid);
        if (distribution != null) {
            if (!config.scopeColumns().contains(distribution)) {
                throw new TtlConfigException(qualified + " is a Citus distributed table with distribution column '" + distribution
                        + "': add it to scope_columns so that every batch is routed to one shard (a batch without it would fan out to all shards)");
            }
            if (key.isEmpty()) {
                throw new TtlConfigException(qualified + " is distributed and has no primary key beyond its scope columns: "
                        + "ttl.sweep needs one to address rows on the shard");
            }
        }
        return new TtlTable(oid, qualified, types, List.copyOf(key), expiryType, distribution, children);
    }

    /** The expiry must be a point in time; the type the server gives the column or expression decides. */
    private static String expiryType(Connection c, String qualified, TtlConfig config) throws SQLException {
        // A rewritten expression is probed too: its interval is checked by the server, not by our reading of it.
        String probe = "SELECT " + config.expirySql() + config.rewrite().map(r -> ", (" + config.expiryExpression() + ")").orElse("")
                + " FROM " + qualified + " LIMIT 0";
        try (PreparedStatement ps = c.prepareStatement(probe)) {
            ResultSetMetaData md = ps.getMetaData();
            String type = md.getColumnTypeName(1);
            if (!EXPIRY_TYPES.contains(type)) {
                throw new TtlConfigException("expiry " + config.expiryDescription() + " of " + qualified + " is of type " + type
                        + "; ttl.sweep needs timestamptz, timestamp or date");
            }
            return type;
        } catch (SQLException e) {
            // 42: names and syntax; 22: a value such as interval 'banana'.
            if (config.expiryExpression() != null && e.getSQLState() != null
                    && (e.getSQLState().startsWith("42") || e.getSQLState().startsWith("22"))) {
                throw new TtlConfigException("expiry_expression '" + config.expiryExpression() + "' is not valid on " + qualified
                        + ": " + e.getMessage());
            }
            throw e;
        }
    }

    private static String distributionColumn(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HAS_CITUS); ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(DISTRIBUTION_COLUMN)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Plain tables: by ctid, a direct heap fetch. Safe although a ctid can be reused: every delete
     * re-checks the scope and the expiry of whatever row it finds there.
     */
    boolean byCtid() {
        return distributionColumn == null || keyColumns.isEmpty();
    }

    /** The columns (or ctid) that, with the scope, address one row. */
    List<String> rowKeySql() {
        return byCtid() ? List.of("ctid") : keyColumns.stream().map(TtlTable::quote).toList();
    }

    List<String> rowKeyTypes() {
        return byCtid() ? List.of("tid") : keyColumns.stream().map(columnTypes::get).toList();
    }

    String typeOf(String column) {
        return columnTypes.get(column);
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
