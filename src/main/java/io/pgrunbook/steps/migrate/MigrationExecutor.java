package io.pgrunbook.steps.migrate;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one part (up or down) of one migration: in a transaction with SET LOCAL timeouts, or, when a
 * statement refuses a transaction, statement by statement in autocommit with the migration marked
 * as started first, so that a failure half-way is never mistaken for success.
 */
final class MigrationExecutor {
    private static final Pattern NON_TRANSACTIONAL = Pattern.compile(
            "^(CREATE (UNIQUE )?INDEX CONCURRENTLY|DROP INDEX CONCURRENTLY|REINDEX .*CONCURRENTLY|VACUUM|ALTER SYSTEM"
                    + "|CREATE DATABASE|DROP DATABASE|CREATE TABLESPACE|DROP TABLESPACE|ALTER DATABASE .* SET TABLESPACE"
                    + "|DETACH PARTITION .* CONCURRENTLY|ALTER TABLE .* DETACH PARTITION .* CONCURRENTLY)");
    private static final Pattern ADD_ENUM_VALUE = Pattern.compile("^ALTER TYPE .* ADD VALUE");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(ident|literal):([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final Pattern INDEX_NAME = Pattern.compile(
            "^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(\"[^\"]+\"|[A-Z0-9_$]+) ON");
    private static final String INVALID_INDEXES = """
            SELECT n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT i.indisvalid AND c.relname = ANY(?)""";
    private static final String SET_LOCAL = "SELECT set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true)";
    private static final String SET_SESSION = "SELECT set_config('lock_timeout', ?, false), set_config('statement_timeout', ?, false)";

    /** The outcome of one part: done, or failed at a line with the server's message. */
    /**
     * @param connectionLost the connection broke while the migration ran, so its outcome could not be
     *                       recorded from this side (the history row shares the migration's transaction)
     */
    record Result(boolean success, boolean transactional, long millis, String error, int retries, List<String> invalidIndexes,
                  boolean connectionLost) {
        Result(boolean success, boolean transactional, long millis, String error, int retries, List<String> invalidIndexes) {
            this(success, transactional, millis, error, retries, invalidIndexes, false);
        }
    }

    private MigrationExecutor() {}

    /** Whether the statement cannot run inside a transaction block on this server version. */
    static boolean nonTransactional(SqlScript.Statement s, int serverVersionNum) {
        return NON_TRANSACTIONAL.matcher(s.normalized()).find()
                || serverVersionNum > 0 && serverVersionNum < 120000 && ADD_ENUM_VALUE.matcher(s.normalized()).find();
    }

    static boolean transactional(List<SqlScript.Statement> statements, int serverVersionNum) {
        return statements.stream().noneMatch(s -> nonTransactional(s, serverVersionNum));
    }

    /** Index names a part creates, lower-cased as PostgreSQL folds them, for verification afterwards. */
    static List<String> createdIndexes(List<SqlScript.Statement> statements) {
        List<String> out = new ArrayList<>();
        for (SqlScript.Statement s : statements) {
            Matcher m = INDEX_NAME.matcher(s.normalized());
            if (m.find()) {
                out.add(Linter.bare(m.group(1)));
            }
        }
        return out;
    }

    /** Replaces ${ident:name} and ${literal:name} with the runbook variable, quoted. */
    static String substitute(String sql, Map<String, Object> vars, String where) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Object v = vars.get(m.group(2));
            if (v == null) {
                throw new MigrationException(where + ": ${" + m.group(1) + ":" + m.group(2) + "} names no variable; define '"
                        + m.group(2) + "' in the runbook's vars or with --set " + m.group(2) + "=...");
            }
            String text = String.valueOf(v);
            String quoted = m.group(1).equals("ident") ? SchemaHistory.quoteIdent(text) : "'" + text.replace("'", "''") + "'";
            m.appendReplacement(sb, Matcher.quoteReplacement(quoted));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Runs the part and records it: for up, the history row; for down, removes it.
     *
     * @param progress receives a line per retry
     */
    static Result run(StepContext ctx, SchemaHistory history, Migration m, boolean up, List<SqlScript.Statement> statements,
                      MigrationSettings settings, java.util.function.Consumer<String> progress) throws SQLException {
        boolean tx = transactional(statements, ctx.server() == null ? 0 : ctx.server().versionNum());
        String file = (up ? m.upFile() : m.downFile()).getFileName().toString();
        return tx ? inTransaction(ctx, history, m, up, statements, settings, file, progress)
                : outsideTransaction(ctx, history, m, up, statements, settings, file);
    }

    private static Result inTransaction(StepContext ctx, SchemaHistory history, Migration m, boolean up, List<SqlScript.Statement> statements,
                                        MigrationSettings settings, String file, java.util.function.Consumer<String> progress) throws SQLException {
        int retries = 0;
        while (true) {
            long start = System.nanoTime();
            SqlScript.Statement[] current = new SqlScript.Statement[1];
            int attempt = retries;
            SQLException failure = ctx.withoutTransaction(c -> {
                c.setAutoCommit(false);
                try {
                    setTimeouts(c, SET_LOCAL, settings);
                    for (SqlScript.Statement s : statements) {
                        current[0] = s;
                        execute(c, s, substitute(s.text(), ctx.vars(), file + ":" + s.line()));
                    }
                    current[0] = null;
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (up) {
                        history.record(c, m, m.kind(), true, ms, true, null);
                    } else {
                        history.delete(c, m.version());
                    }
                    c.commit();
                    return null;
                } catch (SQLException e) {
                    rollback(c);
                    return e;
                } finally {
                    restoreAutoCommit(c);
                }
            });
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (failure == null) {
                return new Result(true, true, ms, null, attempt, List.of());
            }
            if (settings.safe() && SqlStates.LOCK_NOT_AVAILABLE.equals(failure.getSQLState()) && retries < settings.retries() && !ctx.isCancelled()) {
                retries++;
                progress.accept(file + ": lock_timeout (" + MigrationSettings.setting(settings.lockTimeout()) + ") at line "
                        + (current[0] == null ? "?" : current[0].line()) + "; rolled back, retry " + retries + " of " + settings.retries()
                        + " in " + settings.backoff(retries).toMillis() + " ms");
                sleep(settings.backoff(retries).toMillis());
                continue;
            }
            String where = file + (current[0] == null ? "" : ":" + current[0].line());
            String error = where + ": " + SqlStates.describe(failure) + " [SQLSTATE " + SqlStates.state(failure) + "]"
                    + (retries > 0 ? " after " + retries + " retries" : "");
            boolean lost = SqlStates.isConnectionLost(failure);
            if (up && !lost) {
                ctx.withoutTransaction(c -> {
                    history.record(c, m, m.kind(), true, ms, false, error);
                    return null;
                });
            }
            return new Result(false, true, ms, error, retries, List.of(), lost);
        }
    }

    private static Result outsideTransaction(StepContext ctx, SchemaHistory history, Migration m, boolean up, List<SqlScript.Statement> statements,
                                             MigrationSettings settings, String file) throws SQLException {
        long start = System.nanoTime();
        return ctx.withoutTransaction(c -> {
            setTimeouts(c, SET_SESSION, settings);
            if (up) {
                // Marked before it starts: a crash half-way leaves a failed row, never a silent half-applied migration.
                history.record(c, m, m.kind(), false, null, false, "started outside a transaction and did not finish; "
                        + "check what it left behind, then run 'pgrunbook migrate repair'");
            }
            for (SqlScript.Statement s : statements) {
                try {
                    execute(c, s, substitute(s.text(), ctx.vars(), file + ":" + s.line()));
                } catch (SQLException e) {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    List<String> invalid = invalidIndexes(c, createdIndexes(statements));
                    String error = file + ":" + s.line() + ": " + SqlStates.describe(e) + " [SQLSTATE " + SqlStates.state(e) + "]"
                            + "; ran outside a transaction, so the statements before line " + s.line() + " stay applied"
                            + (invalid.isEmpty() ? "" : "; INVALID index left behind: " + String.join(", ", invalid)
                            + " (remove with " + String.join("; ", invalid.stream().map(i -> "DROP INDEX CONCURRENTLY IF EXISTS " + i).toList()) + ")");
                    boolean lost = SqlStates.isConnectionLost(e);
                    if (up && !lost) {
                        history.record(c, m, m.kind(), false, ms, false, error);
                    }
                    return new Result(false, false, ms, error, 0, invalid, lost);
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (up) {
                history.record(c, m, m.kind(), false, ms, true, null);
            } else {
                history.delete(c, m.version());
            }
            return new Result(true, false, ms, null, 0, List.of());
        });
    }

    /** Runs one statement; COPY ... FROM stdin sends the data lines that followed it in the file. */
    private static void execute(Connection c, SqlScript.Statement s, String sql) throws SQLException {
        if (s.copyData() != null) {
            try {
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(sql, new java.io.StringReader(s.copyData()));
            } catch (java.io.IOException e) {
                throw new SQLException("COPY data could not be sent: " + e.getMessage(), "08006", e);
            }
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** A broken connection cannot be put back in autocommit; the pool drops it, and the migration's own error matters. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // Connection gone: nothing to restore.
        }
    }

    /** Indexes among the names that exist but are INVALID (a failed CONCURRENTLY build), schema-qualified. */
    static List<String> invalidIndexes(Connection c, List<String> names) throws SQLException {
        List<String> out = new ArrayList<>();
        if (names.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(INVALID_INDEXES)) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(SchemaHistory.quoteIdent(rs.getString(1)) + "." + SchemaHistory.quoteIdent(rs.getString(2)));
                }
            }
        }
        return out;
    }

    private static void setTimeouts(Connection c, String sql, MigrationSettings settings) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, MigrationSettings.setting(settings.lockTimeout()));
            ps.setString(2, MigrationSettings.setting(settings.statementTimeout()));
            ps.execute();
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is gone; the server rolled the transaction back.
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
