package io.pgrunbook.db;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Classifies database errors by SQLSTATE, the only stable way to tell them apart. */
public final class SqlStates {
    public static final String QUERY_CANCELED = "57014";
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";
    public static final String READ_ONLY_TRANSACTION = "25006";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String INVALID_AUTHORIZATION = "28000";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CRASH_SHUTDOWN = "57P02";
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String TOO_MANY_CONNECTIONS = "53300";
    public static final String INVALID_CATALOG_NAME = "3D000";

    private SqlStates() {}

    public enum Kind {
        CONNECTION,
        AUTHENTICATION,
        TIMEOUT,
        SERIALIZATION,
        DEADLOCK,
        READ_ONLY,
        OTHER
    }

    public static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }

    public static Kind kind(SQLException e) {
        String s = state(e);
        if (s.startsWith("08") || s.equals(ADMIN_SHUTDOWN) || s.equals(CRASH_SHUTDOWN) || s.equals(CANNOT_CONNECT_NOW)
                || s.equals(TOO_MANY_CONNECTIONS) || s.equals(INVALID_CATALOG_NAME)) {
            return Kind.CONNECTION;
        }
        if (s.startsWith("28")) {
            return Kind.AUTHENTICATION;
        }
        if (s.equals(QUERY_CANCELED) || s.equals(LOCK_NOT_AVAILABLE)) {
            return Kind.TIMEOUT;
        }
        if (s.equals(SERIALIZATION_FAILURE)) {
            return Kind.SERIALIZATION;
        }
        if (s.equals(DEADLOCK_DETECTED)) {
            return Kind.DEADLOCK;
        }
        if (s.equals(READ_ONLY_TRANSACTION)) {
            return Kind.READ_ONLY;
        }
        return Kind.OTHER;
    }

    /** Whether trying again later may succeed: lost connections, conflicts and timeouts. */
    public static boolean isTransient(SQLException e) {
        Kind k = kind(e);
        return k == Kind.CONNECTION && !state(e).equals(INVALID_CATALOG_NAME)
                || k == Kind.TIMEOUT || k == Kind.SERIALIZATION || k == Kind.DEADLOCK;
    }

    /** Whether the connection itself is gone, as opposed to one statement failing. */
    public static boolean isConnectionLost(SQLException e) {
        String s = state(e);
        return s.startsWith("08") || s.equals(ADMIN_SHUTDOWN) || s.equals(CRASH_SHUTDOWN);
    }

    /**
     * The server's own message with its detail and hint, without the driver's decorations
     * (for a connection error, the driver's message, which names host and port, never a password).
     */
    public static String describe(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            StringBuilder sb = new StringBuilder();
            sb.append(m.getSeverity() == null ? "ERROR" : m.getSeverity()).append(": ").append(m.getMessage());
            if (m.getDetail() != null) {
                sb.append(" (detail: ").append(m.getDetail()).append(')');
            }
            if (m.getHint() != null) {
                sb.append(" (hint: ").append(m.getHint()).append(')');
            }
            return sb.toString();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !msg.contains(cause.getMessage())) {
            msg = msg + ": " + cause.getMessage();
        }
        return msg;
    }
}
