package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.SqlWork;
import io.pgrunbook.engine.StepContext;
import java.sql.SQLException;

/**
 * The shard-move's transactions: a REPEATABLE READ snapshot that spans several statements, and a
 * read-write transaction; both per transaction, never session characteristics (they hold behind
 * transaction pooling).
 */
final class Tx {
    private Tx() {}

    /** One consistent snapshot of the shard for every statement of the work (REPEATABLE READ, READ ONLY). */
    static <T> T snapshot(StepContext shard, SqlWork<T> work) throws SQLException {
        return shard.inSnapshot(work);
    }

    /** One read-write transaction (READ COMMITTED). */
    static <T> T write(StepContext shard, SqlWork<T> work) throws SQLException {
        return shard.inTransaction(false, work);
    }
}
