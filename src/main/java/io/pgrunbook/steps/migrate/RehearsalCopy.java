package io.pgrunbook.steps.migrate;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.db.PgBinaries;
import io.pgrunbook.db.Sandbox;
import io.pgrunbook.error.PgRunbookException;
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

    private static void dumpSchema(ConnectionSpec target, Path file, Path work) {
        Path pgDump = PgBinaries.locate().tool("pg_dump");
        List<String> command = new ArrayList<>(List.of(pgDump.toString(), "--schema-only", "--no-owner", "--no-privileges", "-f", file.toString()));
        if (!target.hosts().isEmpty()) {
            command.addAll(List.of("-h", target.hosts().get(0)));
        }
        if (!target.ports().isEmpty()) {
            command.addAll(List.of("-p", String.valueOf(target.ports().get(0))));
        }
        if (target.user() != null) {
            command.addAll(List.of("-U", target.user()));
        }
        command.addAll(List.of("-d", target.database()));
        Path log = work.resolve("pg_dump.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        target.password().ifPresent(p -> builder.environment().put("PGPASSWORD", p));
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        try {
            Process p = builder.start();
            if (!p.waitFor(DUMP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw PgRunbookException.cannotRun("pg_dump --schema-only of the target took over " + DUMP_TIMEOUT_MINUTES + " minutes; nothing was rehearsed");
            }
            if (p.exitValue() != 0) {
                throw PgRunbookException.cannotRun("pg_dump --schema-only of the target failed (exit " + p.exitValue() + "): "
                        + Files.readString(log).strip() + "; nothing was rehearsed");
            }
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("cannot run " + pgDump + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PgRunbookException.cannotRun("interrupted while dumping the target's schema");
        }
    }
}
