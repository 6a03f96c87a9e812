package io.pgrunbook.steps.shardset;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A sharded table as one shard's catalog knows it. Table and column names cannot be bind
 * parameters, so they are resolved and quoted by the server ({@code regclass::text},
 * {@code quote_ident}); only those server-quoted forms are ever put into statement text.
 *
 * @param relation   the table, quoted by the server
 * @param column     the key column, quoted by the server, or null when the table has no such column
 * @param columnType the key column's type as format_type shows it
 * @param integerKey whether the key column is smallint, integer or bigint
 * @param reltuples  the planner's row estimate; negative or zero when the table was never analyzed
 */
public record ShardTable(String relation, String column, String columnType, boolean integerKey, double reltuples) {
    private static final String RESOLVE = """
            SELECT c.oid::regclass::text AS relation, quote_ident(a.attname) AS key_column,
                   format_type(a.atttypid, a.atttypmod) AS key_type, a.atttypid IN (20, 21, 23) AS integer_key,
                   c.reltuples::float8 AS reltuples
            FROM pg_class c
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p', 'm', 'f')""";

    /** The table on this connection's database, or empty when it does not exist there. */
    public static Optional<ShardTable> resolve(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RESOLVE)) {
            ps.setString(1, column);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ShardTable(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getDouble(5)));
            }
        }
    }

    public boolean hasColumn() {
        return column != null;
    }
}
