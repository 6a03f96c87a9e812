package io.pgrunbook.steps.backup;

import io.pgrunbook.db.ConnectionSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's roles, memberships and tablespaces beside a backup: {@code pg_dumpall --globals-only
 * --no-role-passwords} into {@value #FILE}, which the manifest covers like every other file. Applied
 * to another server, only what is missing is created: a role that already exists keeps its
 * attributes, so a drill on a production-like server never changes who may log in.
 */
public final class Globals {
    public static final String FILE = "globals.sql";

    private static final Pattern ROLE_STATEMENT = Pattern.compile(
            "^(?:CREATE ROLE|ALTER ROLE|COMMENT ON ROLE)\\s+(\"(?:[^\"]|\"\")+\"|[^\\s;]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TABLESPACE = Pattern.compile("^CREATE TABLESPACE\\s+(\"(?:[^\"]|\"\")+\"|[^\\s;]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern GRANTED_BY = Pattern.compile("\\s+GRANTED BY\\s+(\"(?:[^\"]|\"\")+\"|[^\\s;]+)\\s*;$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PASSWORD_HASH = Pattern.compile("SCRAM-SHA-256\\$|'md5[0-9a-f]{32}'|PASSWORD\\s+'", Pattern.CASE_INSENSITIVE);
    private static final String ROLES = "SELECT rolname FROM pg_roles";
    private static final String TABLESPACES = "SELECT spcname FROM pg_tablespace";

    private Globals() {}

    /** What applying a globals file did. */
    public record Applied(List<String> created, List<String> kept, int statements, List<String> problems) {
        public String summary() {
            return created.size() + " roles created" + (created.isEmpty() ? "" : " (" + String.join(", ", created) + ")") + ", "
                    + kept.size() + " already present and left as they are, " + statements + " statements"
                    + (problems.isEmpty() ? "" : ", " + problems.size() + " failed");
        }
    }

    /** Runs pg_dumpall for the target's globals into {@code directory}/globals.sql; refuses a file that holds a password. */
    static void dump(PgTool pgDumpall, ConnectionSpec spec, String database, Path directory, Path log, BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--globals-only", "--no-role-passwords", "--no-password",
                "--file=" + directory.resolve(FILE)));
        // pg_dumpall reads --dbname as a connection string; --database is the plain name of the database to connect to.
        PgTool.connectionArgs(spec, database).forEach(a -> args.add(a.startsWith("--dbname=") ? "--database=" + database : a));
        pgDumpall.run(args, spec, log, cancelled);
        String text = Files.readString(directory.resolve(FILE), StandardCharsets.UTF_8);
        if (PASSWORD_HASH.matcher(text).find()) {
            Files.delete(directory.resolve(FILE));
            throw new IOException("pg_dumpall wrote a password into " + FILE + " despite --no-role-passwords; the file was removed");
        }
    }

    /** The statements of a pg_dumpall globals file: psql meta-commands (\restrict) and comments left out. */
    static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (current.isEmpty() && (line.isBlank() || line.startsWith("--") || line.startsWith("\\"))) {
                continue;
            }
            current.append(current.isEmpty() ? "" : "\n").append(line);
            if (line.stripTrailing().endsWith(";")) {
                out.add(current.toString().strip());
                current.setLength(0);
            }
        }
        return out;
    }

    /**
     * Creates the roles and tablespaces of the file that the server lacks, with their attributes,
     * settings and comments, then the memberships. Each statement runs on its own; a failure is
     * recorded and the rest still run.
     */
    public static Applied apply(Connection c, Path file) throws IOException, SQLException {
        List<String> statements = statements(Files.readString(file, StandardCharsets.UTF_8));
        Set<String> roles = names(c, ROLES);
        Set<String> tablespaces = names(c, TABLESPACES);
        Set<String> created = new java.util.LinkedHashSet<>();
        Set<String> kept = new java.util.LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        int ran = 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            for (String sql : statements) {
                Matcher role = ROLE_STATEMENT.matcher(sql);
                Matcher space = TABLESPACE.matcher(sql);
                if (role.find()) {
                    String name = unquote(role.group(1));
                    if (roles.contains(name) && !created.contains(name)) {
                        kept.add(name);
                        continue;
                    }
                    if (sql.regionMatches(true, 0, "CREATE ROLE", 0, 11)) {
                        created.add(name);
                    }
                } else if (space.find() && tablespaces.contains(unquote(space.group(1)))) {
                    continue;
                }
                if (execute(c, sql, problems)) {
                    ran++;
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
        return new Applied(List.copyOf(created), List.copyOf(kept), ran, problems);
    }

    /** One statement; a membership whose grantor cannot be named here is granted by the current user instead. */
    private static boolean execute(Connection c, String sql, List<String> problems) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            return true;
        } catch (SQLException e) {
            Matcher by = GRANTED_BY.matcher(sql);
            if (sql.regionMatches(true, 0, "GRANT ", 0, 6) && by.find()) {
                return execute(c, sql.substring(0, by.start()) + ";", problems);
            }
            if ("42710".equals(e.getSQLState())) {
                return false; // already exists: the goal of the statement holds
            }
            problems.add(firstLine(sql) + ": " + e.getMessage());
            return false;
        }
    }

    private static String firstLine(String sql) {
        int nl = sql.indexOf('\n');
        return nl < 0 ? sql : sql.substring(0, nl) + " ...";
    }

    private static Set<String> names(Connection c, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }
}
