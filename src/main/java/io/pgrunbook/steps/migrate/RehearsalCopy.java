package io.pgrunbook.steps.migrate;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.db.Sandbox;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.steps.backup.PgTool;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * A throwaway copy of the target in a sandbox: its schema (pg_dump --schema-only, the password passed
 * in PGPASSWORD only), the whole migration history, and at most {@code sampleRows} rows of every other
 * table, copied with triggers and foreign keys off (a sample cannot satisfy them).
 */
final class RehearsalCopy {
    private static final String TABLES = """
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 1""";
    private static final long DUMP_TIMEOUT_MINUTES = 10;

    private RehearsalCopy() {}

    /** Dumps the target's schema, loads it into the sandbox, copies the sample; returns how many rows were copied. */
    static long copy(ConnectionSpec target, Connection source, Sandbox sandbox, SchemaHistory history, int sampleRows, Path work)
            throws SQLException {
        Path schema = work.resolve("schema.sql");
        dumpSchema(target, schema, work);
        sandbox.loadSqlFile(schema);
        long rows = 0;
        try (Connection dest = DriverManager.getConnection(sandbox.jdbcUrl())) {
            try (var st = dest.createStatement()) {
                // Sampled rows cannot satisfy foreign keys or what triggers expect: replica mode skips both.
                st.execute("SET session_replication_role = replica");
            }
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = source.prepareStatement(TABLES); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                boolean whole = table.equals(history.table().replace("\"", "")) || history.table().equals(table);
                rows += copyTable(source, dest, table, whole ? -1 : sampleRows);
            }
        }
        return rows;
    }

    private static long copyTable(Connection source, Connection dest, String table, int limit) throws SQLException {
        String select = "SELECT * FROM " + table + (limit < 0 ? "" : " LIMIT " + limit);
        try (PipedInputStream in = new PipedInputStream(1 << 16); PipedOutputStream out = new PipedOutputStream(in)) {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try (out) {
                    return source.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + select + ") TO STDOUT", out);
                } catch (SQLException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long copied = dest.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN", in);
            reader.join();
            return copied;
        } catch (IOException e) {
            throw new SQLException("copying a sample of " + table + " failed: " + e.getMessage(), "58030", e);
        }
    }

    /** Through the shared child-tool layer: every connection setting in pg_dump's environment, the name never reinterpreted. */
    private static void dumpSchema(ConnectionSpec target, Path file, Path work) {
        PgTool pgDump = PgTool.find("pg_dump", null);
        List<String> args = new ArrayList<>(List.of("--schema-only", "--no-owner", "--no-privileges", "--file=" + file));
        args.addAll(PgTool.connectionArgs(target, target.database()));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(DUMP_TIMEOUT_MINUTES);
        try {
            pgDump.run(args, target, work.resolve("pg_dump.log"), () -> System.nanoTime() > deadline);
        } catch (IOException e) {
            String why = System.nanoTime() > deadline ? "took over " + DUMP_TIMEOUT_MINUTES + " minutes" : "failed: " + e.getMessage();
            throw PgRunbookException.cannotRun("pg_dump --schema-only of the target " + why + "; nothing was rehearsed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PgRunbookException.cannotRun("interrupted while dumping the target's schema");
        }
    }
}
