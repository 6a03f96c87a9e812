package io.pgrunbook.steps.backup;

import io.pgrunbook.error.PgRunbookException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * LIKE patterns resolved to the exact tables they match, by the server. pg_dump's own patterns
 * (psql rules: * and ?, case folding unless quoted, regex characters) are not LIKE's, so rather than
 * translate one into the other we pass pg_dump each matched table by its exact quoted name.
 */
final class TableSelection {
    private TableSelection() {}

    record Table(String schema, String name) {
        String qualified() {
            return schema + "." + name;
        }

        /** A pg_dump -t/-T pattern that matches this table and nothing else: both parts double-quoted. */
        String pgDumpPattern() {
            return quote(schema) + "." + quote(name);
        }

        private static String quote(String s) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
    }

    /** Every table matching any pattern; a pattern that matches nothing is an error, as pg_dump --strict-names. */
    static List<Table> resolve(Connection c, List<String> patterns, String what) throws SQLException {
        Set<Table> out = new LinkedHashSet<>();
        for (String pattern : patterns) {
            List<Table> matched = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(BackupSql.MATCH_TABLES)) {
                ps.setString(1, pattern);
                ps.setString(2, pattern);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        matched.add(new Table(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            if (matched.isEmpty()) {
                throw PgRunbookException.invalid(what + " pattern '" + pattern + "' matches no table in database "
                        + c.getCatalog() + " (LIKE: % is any text, _ any one character; schema.name to name the schema)");
            }
            out.addAll(matched);
        }
        return List.copyOf(out);
    }

    /**
     * The tables with what pg_dump -t would leave behind: {@link BackupSql#SUBSET_DEPENDENTS} for
     * tables to dump, {@link BackupSql#DESCENDANTS} for tables to leave out (a partition dumped without
     * its parent would not restore: its ATTACH names a table that is not there).
     */
    static List<Table> expand(Connection c, List<Table> tables, boolean include) throws SQLException {
        if (tables.isEmpty()) {
            return tables;
        }
        Set<Table> out = new LinkedHashSet<>(tables);
        try (PreparedStatement ps = c.prepareStatement(include ? BackupSql.SUBSET_DEPENDENTS : BackupSql.DESCENDANTS)) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().map(Table::schema).toArray()));
            ps.setArray(2, c.createArrayOf("text", tables.stream().map(Table::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Table(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return List.copyOf(out);
    }
}
