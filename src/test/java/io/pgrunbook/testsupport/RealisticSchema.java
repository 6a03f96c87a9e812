package io.pgrunbook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * src/test/resources/fixtures/realistic-schema.sql (what real databases hold: attached, nested and
 * default partitions, inheritance, quoted names, identity and generated columns, domains, enums,
 * unlogged tables, a materialized view, RLS, a pg_trgm index) loaded into a fresh database on the
 * shared test server. Its header documents every table and row count.
 */
public final class RealisticSchema {
    public static final Path FILE = Path.of("src/test/resources/fixtures/realistic-schema.sql");

    private RealisticSchema() {}

    /** A new database named after {@code prefix} holding the fixture; returns its JDBC URL. */
    public static String create(String prefix) throws SQLException {
        String db = TestPostgres.shared().createDatabase(prefix);
        load(db);
        return db;
    }

    /** Loads the fixture into an existing, empty database. */
    public static void load(String jdbcUrl) throws SQLException {
        String sql;
        try {
            sql = Files.readString(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
