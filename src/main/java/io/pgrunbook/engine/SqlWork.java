package io.pgrunbook.engine;

import java.sql.Connection;
import java.sql.SQLException;

/** Work a step type does on a connection the engine prepared (transaction, timeouts, cancellation). */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
