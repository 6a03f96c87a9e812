package io.pgrunbook.steps.restore;

import io.pgrunbook.steps.backup.PgTool;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Seed 003's "restore specific tables --data-only", made safe: the tables are emptied and refilled
 * from the archive in ONE transaction (TRUNCATE, then each table's COPY as pg_restore prints it,
 * then its sequences' values), so a failure or a kill leaves the old rows, never half of the new.
 */
final class TableRowsRestore {
    private static final int FLUSH = 1 << 16;

    private TableRowsRestore() {}

    /**
     * @param tables  "schema.name" of the tables to refill; each must exist in the target
     * @param entries the archive's list-file lines for their data and their sequences' values
     * @return rows loaded per table
     */
    static Map<String, Long> run(Connection c, PgTool pgRestore, Path archive, List<String[]> tables, List<String> entries)
            throws SQLException, IOException, InterruptedException {
        Path list = Files.createTempFile("pgrunbook-restore-", ".list");
        Path log = Files.createTempFile("pgrunbook-restore-", ".log");
        Map<String, Long> loaded = new LinkedHashMap<>();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Files.write(list, entries);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL row_security = off");
                st.execute(truncate(c, tables));
            }
            pgRestore.read(List.of("--data-only", "--use-list=" + list, "--file=-", archive.toString()), log, in -> {
                try {
                    replay(c, new BufferedInputStream(in, FLUSH), loaded);
                } catch (SQLException e) {
                    throw new UncheckedIOException(new IOException(e.getMessage(), e));
                }
                return null;
            });
            c.commit();
            return loaded;
        } catch (IOException | SQLException | RuntimeException | InterruptedException e) {
            c.rollback();
            if (e instanceof UncheckedIOException u && u.getCause().getCause() instanceof SQLException s) {
                throw s;
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
            Files.deleteIfExists(list);
            Files.deleteIfExists(log);
        }
    }

    private static String truncate(Connection c, List<String[]> tables) throws SQLException {
        try (var ps = c.prepareStatement(RestoreSql.TRUNCATE)) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().map(t -> t[0]).toArray()));
            ps.setArray(2, c.createArrayOf("text", tables.stream().map(t -> t[1]).toArray()));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Reads pg_restore's script byte for byte: a COPY block goes to the server as it is (the dump's
     * bytes, no re-encoding), a sequence's setval is run; SET lines, comments and psql's \restrict
     * lines are pg_restore's own framing and are skipped (the session is already set up).
     */
    private static void replay(Connection c, InputStream in, Map<String, Long> loaded) throws IOException, SQLException {
        byte[] line;
        while ((line = readLine(in)) != null) {
            String text = new String(line, StandardCharsets.UTF_8);
            if (text.startsWith("COPY ") && text.endsWith(" FROM stdin;")) {
                String table = text.substring(5, text.indexOf(' ', 5));
                loaded.put(table, copy(c, text.substring(0, text.length() - 1), in));
            } else if (text.startsWith("SELECT pg_catalog.setval(")) {
                try (Statement st = c.createStatement()) {
                    st.execute(text);
                }
            }
        }
    }

    private static long copy(Connection c, String sql, InputStream in) throws IOException, SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH * 2);
            byte[] line;
            while ((line = readLine(in)) != null && !(line.length == 2 && line[0] == '\\' && line[1] == '.')) {
                buffer.write(line);
                buffer.write('\n');
                if (buffer.size() >= FLUSH) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
            }
            if (buffer.size() > 0) {
                copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            }
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** One line without its newline, or null at the end. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return out.toByteArray();
            }
            out.write(b);
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    /** Tables named in the set but without a data entry in the archive (an empty table has one, so: not dumped). */
    static List<String> withoutData(List<String[]> tables, List<String> entries) {
        List<String> out = new ArrayList<>();
        for (String[] t : tables) {
            if (entries.stream().noneMatch(e -> e.contains(" TABLE DATA " + t[0] + " " + t[1] + " "))) {
                out.add(t[0] + "." + t[1]);
            }
        }
        return out;
    }
}
