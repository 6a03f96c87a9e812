package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.SqlWork;
import io.pgrunbook.engine.StepContext;
import java.sql.Connection;
import java.sql.SQLException;

/** Transactions the engine's context does not offer: a REPEATABLE READ snapshot that spans several statements. */
final class Tx {
    private Tx() {}

    /** One consistent snapshot of the shard for every statement of the work (REPEATABLE READ, READ ONLY). */
    static <T> T snapshot(StepContext shard, SqlWork<T> work) throws SQLException {
        return run(shard, Connection.TRANSACTION_REPEATABLE_READ, true, work);
    }

    /** One read-write transaction (READ COMMITTED). */
    static <T> T write(StepContext shard, SqlWork<T> work) throws SQLException {
        return run(shard, Connection.TRANSACTION_READ_COMMITTED, false, work);
    }

    private static <T> T run(StepContext shard, int isolation, boolean readOnly, SqlWork<T> work) throws SQLException {
        return shard.withoutTransaction(c -> {
            c.setAutoCommit(false);
            c.setTransactionIsolation(isolation);
            c.setReadOnly(readOnly);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // The connection is gone; the original error is what matters.
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                    c.setReadOnly(false);
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                } catch (SQLException ignored) {
                    // A broken connection is evicted by the pool.
                }
            }
        });
    }
}
