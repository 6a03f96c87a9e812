package io.pgrunbook.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * Ctrl-C for a run: marks it cancelled and asks the server to cancel every statement in flight,
 * so a long query stops on the server too, not only in this process.
 */
public final class Cancellation {
    private volatile boolean cancelled;
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();

    public boolean isCancelled() {
        return cancelled;
    }

    public void cancel() {
        cancelled = true;
        for (Connection c : active) {
            try {
                c.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException ignored) {
                // The statement may have finished, or the connection closed, in the meantime.
            }
        }
    }

    void register(Connection c) {
        active.add(c);
        if (cancelled) {
            cancel();
        }
    }

    void unregister(Connection c) {
        active.remove(c);
    }
}
