package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.PgRunbookException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Before {@code up} applies anything: is a session of an earlier pgrunbook run still executing a
 * migration statement on this database? A {@code kill -9} of pgrunbook ends its lock session (idle,
 * so the server sees the socket close) but not the session running the statement, which goes on
 * holding its locks until it ends. Applying beside it would fail on lock_timeout and record a
 * failure that is not one: instead wait for it (bounded by lock_wait), then stop (exit 3) naming it.
 */
final class MigrationInProgressGuard {
    /** Active pgrunbook sessions on this database other than ours, with the start of their statement. */
    private static final String ACTIVE = """
            SELECT pid, application_name, to_char(query_start, 'YYYY-MM-DD HH24:MI:SS TZ'), left(query, 2000)
              FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND state <> 'idle' AND application_name LIKE 'pgrunbook%'
             ORDER BY query_start""";
    /** pg_stat_activity keeps the first track_activity_query_size bytes (1 kB by default): compare what surely fits. */
    private static final int COMPARED_CHARS = 900;

    private MigrationInProgressGuard() {}

    /** A session still running one of these migrations' statements. */
    record Running(long pid, String applicationName, String since, String query, String version) {}

    /** Returns when no such session is left; after {@code wait}, fails (exit 3) naming the session. */
    static void awaitNone(StepContext ctx, List<Migration> migrations, Duration wait) throws SQLException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<Running> running = find(ctx, migrations);
            if (running.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline || ctx.isCancelled()) {
                Running r = running.get();
                throw PgRunbookException.cannotRun("a session of an earlier pgrunbook run is still running migration " + r.version()
                        + " on this database: pid " + r.pid() + " (" + r.applicationName() + "), since " + r.since() + ": "
                        + oneLine(r.query()) + ". Its run ended (killed?) but the statement goes on and holds its locks; waited "
                        + wait.toMillis() + " ms. Wait for it to end, or stop it with SELECT pg_cancel_backend(" + r.pid()
                        + ") (or pg_terminate_backend), then run again; nothing was applied by this run");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for an earlier migration session to end", "57014");
            }
        }
    }

    static Optional<Running> find(StepContext ctx, List<Migration> migrations) throws SQLException {
        return ctx.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(ACTIVE); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String query = rs.getString(4);
                    Optional<String> version = migrationOf(query, migrations);
                    if (version.isPresent()) {
                        return Optional.of(new Running(rs.getLong(1), rs.getString(2), rs.getString(3), query, version.get()));
                    }
                }
            }
            return Optional.empty();
        });
    }

    /** The migration whose script holds this statement (compared with whitespace collapsed), if any. */
    static Optional<String> migrationOf(String query, List<Migration> migrations) {
        String q = normalize(query == null ? "" : query);
        if (q.length() > COMPARED_CHARS) {
            q = q.substring(0, COMPARED_CHARS);
        }
        if (q.isBlank()) {
            return Optional.empty();
        }
        for (Migration m : migrations) {
            if ((m.upSql() != null && normalize(m.upSql()).contains(q)) || (m.downSql() != null && normalize(m.downSql()).contains(q))) {
                return Optional.of(m.version());
            }
        }
        return Optional.empty();
    }

    private static String normalize(String sql) {
        return sql.replaceAll("\\s+", " ").strip().replaceAll(";$", "");
    }

    private static String oneLine(String query) {
        String q = normalize(query);
        return q.length() > 200 ? q.substring(0, 200) + "\u2026" : q;
    }
}
