package io.pgrunbook.steps.shardmove;

import java.sql.SQLException;

/** Test seams of a move, called between units of work (never inside a transaction). */
public interface MoveHooks {
    MoveHooks NONE = new MoveHooks() { };

    /** After a copy batch committed on the new shard. */
    default void afterBatch(String source, int batchNo) throws SQLException { }

    /** After a phase finished, before the next starts (phase labels: setup, copy, catch-up, verify, cutover, grace, cleanup). */
    default void afterPhase(String phase) throws SQLException { }
}
