package io.pgrunbook.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * What stands between pgrunbook and the server, seen on the first connection to a target.
 *
 * <p>Detection: the backend process id the client was given at connect time (BackendKeyData,
 * {@link PGConnection#getBackendPID()}) is compared with {@code pg_backend_pid()} asked of the
 * server. A direct connection (or a plain TCP forwarder) gets the server's own key; a pooler
 * (PgBouncer, Odyssey, pgcat) hands out its own, because a client's cancel request must reach the
 * pooler, which forwards it to whichever server connection the client holds at that moment.
 * The ports seen from inside ({@code inet_server_port()}, else the server's {@code port} for a
 * socket) against the one dialled are reported as supporting evidence.
 *
 * <p>The pool mode comes from PgBouncer's admin console ({@code SHOW DATABASES} for the database's
 * own pool_mode, else {@code SHOW CONFIG}), reached with the same user, host and port; a user that
 * may not read the console (not in admin_users or stats_users) leaves it unknown, treated as
 * transaction pooling, the mode that breaks sessions.
 *
 * @param serverPreparedStatements the pooler keeps named prepared statements apart per client
 *                                 (PgBouncer 1.21+ with max_prepared_statements &gt; 0)
 */
public record Pooler(boolean present, String product, Mode mode, boolean serverPreparedStatements, String evidence) {
    public enum Mode { SESSION, TRANSACTION, STATEMENT, UNKNOWN }

    static final String SEEN_FROM_INSIDE = "SELECT pg_backend_pid(), inet_server_port(), current_setting('port')::int";

    public static Pooler none() {
        return new Pooler(false, null, Mode.SESSION, true, "direct connection");
    }

    /** Whether a client's session can move between server connections (transaction or statement pooling, or unknown). */
    public boolean sessionsShared() {
        return present && mode != Mode.SESSION;
    }

    /** For messages: "PgBouncer 1.18.0 in transaction pooling (pool_mode transaction)". */
    public String describe() {
        if (!present) {
            return "a direct connection";
        }
        String what = product == null ? "a connection pooler" : product;
        return switch (mode) {
            case UNKNOWN -> what + " (pool mode unknown: its admin console is not readable by this user, so taken as"
                    + " transaction pooling; if the pool is in session mode, add the user to PgBouncer's stats_users)";
            default -> what + " in " + mode.name().toLowerCase(Locale.ROOT) + " pooling";
        };
    }

    /** Probes an open connection to a target; {@code spec} says how it was dialled, for the admin console probe. */
    static Pooler detect(Connection c, ConnectionSpec spec) throws SQLException {
        int clientSidePid = c.unwrap(PGConnection.class).getBackendPID();
        int dialledPort = c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
        int serverPid;
        Integer insidePort;
        int serverPort;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SEEN_FROM_INSIDE)) {
            rs.next();
            serverPid = rs.getInt(1);
            insidePort = (Integer) rs.getObject(2);
            serverPort = rs.getInt(3);
        }
        String ports = "dialled port " + dialledPort + ", the server sees "
                + (insidePort == null ? "a Unix socket (its port " + serverPort + ")" : "port " + insidePort);
        if (serverPid == clientSidePid) {
            return none();
        }
        String evidence = "the backend pid given at connect (" + clientSidePid + ") is not the server's own ("
                + serverPid + "); " + ports;
        return PgBouncerConsole.poolMode(spec).map(p -> new Pooler(true, p.product(), p.mode(), p.preparedStatements(), evidence))
                .orElseGet(() -> new Pooler(true, null, Mode.UNKNOWN, false, evidence));
    }

    /** What the admin console says about one database's pool. */
    record ConsoleView(String product, Mode mode, boolean preparedStatements) {
        static ConsoleView of(String version, String database, List<Map<String, String>> databases, Map<String, String> config) {
            String mode = databases.stream().filter(r -> database.equals(r.get("name")))
                    .map(r -> r.get("pool_mode")).filter(v -> v != null && !v.isBlank())
                    .findFirst().orElse(config.getOrDefault("pool_mode", ""));
            Mode parsed = switch (mode.toLowerCase(Locale.ROOT)) {
                case "session" -> Mode.SESSION;
                case "transaction" -> Mode.TRANSACTION;
                case "statement" -> Mode.STATEMENT;
                default -> Mode.UNKNOWN;
            };
            boolean prepared = Optional.ofNullable(config.get("max_prepared_statements"))
                    .map(v -> !v.isBlank() && !v.equals("0")).orElse(false);
            return new ConsoleView(version, parsed, prepared);
        }
    }
}
